// Channels for aggregate reports: figures about groups of people, never rows about a person.
// Every count has been through the small-number rule (shared/vocabulary/reporting.ts) in the
// database; null is a suppressed figure.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import { Antigen } from '../shared/vocabulary/antigens';
import { CoverageGrouping } from '../shared/vocabulary/reporting';

export const CoverageInput = z.object({
  antigen: Antigen,
  /** At least this many doses with the antigen, before the birthday. */
  doses: z.number().int().min(1).max(6),
  /** The age, in months, at which coverage is measured (12, 24, 60 in the national returns). */
  ageMonths: z.number().int().min(1).max(240),
  /** The cohort: people reaching that age in whole months from this first of a month. */
  cohortFrom: isoDate.refine((d) => d.endsWith('-01'), 'Start the period on the first of a month'),
  cohortMonths: z.number().int().min(1).max(12).default(3),
  groupBy: CoverageGrouping.default('practice'),
});
export type CoverageInput = z.output<typeof CoverageInput>;

/** A suppressed figure is null. */
const Count = z.number().int().nonnegative().nullable();

export const CoverageRow = z.object({
  /** The practice's ODS code or the local authority's ONS code; null for the total and for people with none. */
  groupCode: z.string().nullable(),
  groupName: z.string(),
  isTotal: z.boolean(),
  cohort: Count,
  vaccinated: Count,
  /** Whole per cent, rounded down. */
  coveragePercent: z.number().int().min(0).max(100).nullable(),
});
export type CoverageRow = z.infer<typeof CoverageRow>;

export const CoverageReport = z.object({
  rows: z.array(CoverageRow),
  /** The last day of the period (inclusive). */
  cohortTo: isoDate,
});
export type CoverageReport = z.infer<typeof CoverageReport>;

export const reportingChannels = {
  'coverage.get': { input: CoverageInput, output: CoverageReport },
} as const;

export type ReportingHandlers = HandlersOf<typeof reportingChannels>;

// Channels for aggregate reports: figures about groups of people, never rows about a person.
// Every count has been through the small-number rule (shared/vocabulary/reporting.ts) in the
// database; null is a suppressed figure.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import { Antigen } from '../shared/vocabulary/antigens';
import { CoverageGrouping } from '../shared/vocabulary/reporting';
import { QUARTER_PATTERN } from '../shared/calendar/quarters';

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

// ---------------------------------------------------------------------------------------
// The COVER return (docs/cover.md): children reaching 12 months, 24 months and 5 years in a
// quarter, by responsible local authority or GP practice, against measures held as data.

/** A calendar quarter, `2026-Q3` (July to September). */
const Quarter = z.string().regex(QUARTER_PATTERN, 'Write the quarter as YYYY-Qn, e.g. 2026-Q3 for July to September 2026');

export const CoverInput = z.object({
  quarter: Quarter,
  by: CoverageGrouping.default('local-authority'),
});
export type CoverInput = z.output<typeof CoverInput>;

export const CoverMeasure = z.object({
  id: z.string(),
  label: z.string(),
  antigens: z.array(z.string()),
  doses: z.number().int(),
  /** Doses count from this age (0: from birth). */
  fromAgeMonths: z.number().int(),
  /** The cohort's age: 12, 24 or 60 months; doses count before this birthday. */
  byAgeMonths: z.number().int(),
  /** The birth cohorts the measure applies to (inclusive; null: open). */
  bornFrom: isoDate.nullable(),
  bornTo: isoDate.nullable(),
});
export type CoverMeasure = z.infer<typeof CoverMeasure>;

export const CoverFigure = z.object({
  measureId: z.string(),
  /** Children the measure applies to; numerator: those who had the doses in time. Null: suppressed. */
  denominator: Count,
  numerator: Count,
  /** To one decimal place. */
  percent: z.number().min(0).max(100).nullable(),
});
export type CoverFigure = z.infer<typeof CoverFigure>;

export const CoverArea = z.object({
  /** ONS code of the authority or ODS code of the practice; null for the total and for children with none. */
  groupCode: z.string().nullable(),
  groupName: z.string(),
  isTotal: z.boolean(),
  /** One per measure, in the measures' order; a measure that applies to nobody in the area has 0 of 0. */
  figures: z.array(CoverFigure),
});
export type CoverArea = z.infer<typeof CoverArea>;

export const CoverReturn = z.object({
  quarter: Quarter,
  from: isoDate,
  to: isoDate,
  by: CoverageGrouping,
  /** False while the quarter has not ended: some children have not reached the birthday yet. */
  complete: z.boolean(),
  /** Exact counts; false: through the small-number rule (an analyst's view). */
  exact: z.boolean(),
  /** The national target each measure is read against, in per cent. */
  target: z.number(),
  measures: z.array(CoverMeasure),
  areas: z.array(CoverArea),
});
export type CoverReturn = z.infer<typeof CoverReturn>;

export const CoverExport = z.object({ fileName: z.string(), csv: z.string(), rows: z.number().int() });
export type CoverExport = z.infer<typeof CoverExport>;

const Code = z.string().regex(/^[A-Z0-9]{3,12}$/, 'An ODS or ONS code');

export const CoverNotCountedInput = CoverInput.extend({
  /** The area; null with noGroup false for everyone in scope. */
  groupCode: Code.nullable().default(null),
  /** The children with no practice (or no known authority). */
  noGroup: z.boolean().default(false),
  /** One cohort: children reaching 12 months, 24 months or 5 years (60); null for all three. */
  ageMonths: z
    .union([z.literal(12), z.literal(24), z.literal(60)])
    .nullable()
    .default(null),
  /** Only children missing this measure; null for any. */
  measureId: z
    .string()
    .regex(/^[0-9A-Z_]{3,40}$/)
    .nullable()
    .default(null),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type CoverNotCountedInput = z.output<typeof CoverNotCountedInput>;

const CoverMissing = z.object({ measureId: z.string(), label: z.string(), had: z.number().int(), needed: z.number().int() });

export const CoverChild = z.object({
  personId: z.number().int(),
  nhsNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: isoDate,
  ageMonths: z.number().int(),
  practiceCode: z.string().nullable(),
  practiceName: z.string().nullable(),
  postcode: z.string().nullable(),
  missing: z.array(CoverMissing),
});
export type CoverChild = z.infer<typeof CoverChild>;

export const CoverNotCounted = z.object({ total: z.number().int(), children: z.array(CoverChild) });
export type CoverNotCounted = z.infer<typeof CoverNotCounted>;

export const reportingChannels = {
  'coverage.get': { input: CoverageInput, output: CoverageReport },
  'cover.get': { input: CoverInput, output: CoverReturn },
  'cover.export': { input: CoverInput, output: CoverExport },
  'cover.notCounted': { input: CoverNotCountedInput, output: CoverNotCounted },
} as const;

export type ReportingHandlers = HandlersOf<typeof reportingChannels>;

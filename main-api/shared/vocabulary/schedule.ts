// Where a person stands against the schedule: the forecast engine's statuses for series and
// seasonal campaigns, the warnings it gives about a proposed dose, and the kinds of row kept in
// ims.series_status (migrations/0004_forecast.sql; vocabulary.integration.test.ts compares them).
import { z } from 'zod';

export const SERIES_STATUSES = [
  'COMPLETE',
  'DUE',
  'OVERDUE',
  'UPCOMING',
  'TOO_LATE',
  'NOT_ELIGIBLE',
  'DECLINED',
  'CONTRAINDICATED',
  'NEEDS_ASSESSMENT',
] as const;
export const SeriesStatus = z.enum(SERIES_STATUSES);
export type SeriesStatus = z.infer<typeof SeriesStatus>;

export const SERIES_STATUS_LABELS: Record<SeriesStatus, string> = {
  COMPLETE: 'Complete',
  DUE: 'Due',
  OVERDUE: 'Overdue',
  UPCOMING: 'Upcoming',
  TOO_LATE: 'Too late to give',
  NOT_ELIGIBLE: 'Not eligible',
  DECLINED: 'Declined',
  CONTRAINDICATED: 'Contraindicated',
  // A live vaccine for someone whose record says it may be unsafe: a clinician decides.
  NEEDS_ASSESSMENT: 'Needs clinical assessment',
};

export const CAMPAIGN_STATUSES = ['GIVEN', 'DUE', 'UPCOMING', 'NOT_ELIGIBLE', 'DECLINED'] as const;
export const CampaignStatus = z.enum(CAMPAIGN_STATUSES);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

// A campaign is offered rather than scheduled, so DUE and UPCOMING read as eligibility.
export const CAMPAIGN_STATUS_LABELS: Record<CampaignStatus, string> = {
  GIVEN: 'Given',
  DUE: 'Eligible now',
  UPCOMING: 'Eligible later',
  NOT_ELIGIBLE: 'Not eligible',
  DECLINED: 'Declined',
};

/** 'course' is a vaccine course; 'requirement' is a safety-net rule (e.g. Hib after the first birthday). */
export const SERIES_KINDS = ['course', 'requirement'] as const;
export const SeriesKind = z.enum(SERIES_KINDS);
export type SeriesKind = z.infer<typeof SeriesKind>;

export const SERIES_KIND_LABELS: Record<SeriesKind, string> = {
  course: 'Vaccine course',
  requirement: 'Safety-net requirement',
};

/** What a row of ims.series_status is about. */
export const STATUS_ROW_KINDS = ['SERIES', 'CAMPAIGN'] as const;
export const StatusRowKind = z.enum(STATUS_ROW_KINDS);
export type StatusRowKind = z.infer<typeof StatusRowKind>;

export const STATUS_ROW_KIND_LABELS: Record<StatusRowKind, string> = {
  SERIES: 'Schedule series',
  CAMPAIGN: 'Seasonal campaign',
};

/**
 * The statuses ims.series_status may hold: a series' or a campaign's, except NOT_ELIGIBLE, which
 * is never stored (a person who is not eligible has no row).
 */
export const STORED_STATUSES = [...new Set([...SERIES_STATUSES, ...CAMPAIGN_STATUSES])].filter(
  (s): s is Exclude<SeriesStatus | CampaignStatus, 'NOT_ELIGIBLE'> => s !== 'NOT_ELIGIBLE',
);

export const WARNING_CODES = [
  'TOO_EARLY',
  'TOO_SOON_AFTER_PREVIOUS',
  'OUTSIDE_AGE_WINDOW',
  'LIKELY_DUPLICATE',
  'NOT_IN_SCHEDULE',
  'NEEDS_CLINICAL_ASSESSMENT',
] as const;
export const WarningCode = z.enum(WARNING_CODES);
export type WarningCode = z.infer<typeof WarningCode>;

/** The heading over a warning; the engine's explanation gives the detail. */
export const WARNING_LABELS: Record<WarningCode, string> = {
  TOO_EARLY: 'Earlier than the schedule allows',
  TOO_SOON_AFTER_PREVIOUS: 'Too soon after the previous dose',
  OUTSIDE_AGE_WINDOW: 'Outside the age range for this vaccine',
  LIKELY_DUPLICATE: 'This looks like a duplicate',
  NOT_IN_SCHEDULE: 'Not part of this person’s schedule',
  NEEDS_CLINICAL_ASSESSMENT: 'A clinician must assess this person first',
};

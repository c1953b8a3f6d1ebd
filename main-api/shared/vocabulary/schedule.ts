// Where a person stands against the schedule: the forecast engine's statuses for series and
// seasonal campaigns, the warnings it gives about a proposed dose, and the kinds of row kept in
// ims.series_status (migrations/0004_forecast.sql; vocabulary.integration.test.ts compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';

export const [SERIES_STATUSES, SeriesStatus, SERIES_STATUS_LABELS] = codeSet({
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
});
export type SeriesStatus = z.infer<typeof SeriesStatus>;

/** A series still open: its next dose is wanted (once it is safe, for NEEDS_ASSESSMENT). */
export const OPEN_SERIES_STATUSES: readonly SeriesStatus[] = ['OVERDUE', 'DUE', 'NEEDS_ASSESSMENT', 'UPCOMING'];

// A campaign is offered rather than scheduled, so DUE and UPCOMING read as eligibility.
export const [CAMPAIGN_STATUSES, CampaignStatus, CAMPAIGN_STATUS_LABELS] = codeSet({
  GIVEN: 'Given',
  DUE: 'Eligible now',
  UPCOMING: 'Eligible later',
  NOT_ELIGIBLE: 'Not eligible',
  DECLINED: 'Declined',
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** 'course' is a vaccine course; 'requirement' is a safety-net rule (e.g. Hib after the first birthday). */
export const [SERIES_KINDS, SeriesKind, SERIES_KIND_LABELS] = codeSet({
  course: 'Vaccine course',
  requirement: 'Safety-net requirement',
});
export type SeriesKind = z.infer<typeof SeriesKind>;

/** What a row of ims.series_status is about. */
export const [STATUS_ROW_KINDS, , STATUS_ROW_KIND_LABELS] = codeSet({
  SERIES: 'Schedule series',
  CAMPAIGN: 'Seasonal campaign',
});

/**
 * The statuses ims.series_status may hold: a series' or a campaign's, except NOT_ELIGIBLE, which
 * is never stored (a person who is not eligible has no row).
 */
export const STORED_STATUSES = [...new Set([...SERIES_STATUSES, ...CAMPAIGN_STATUSES])].filter(
  (s): s is Exclude<SeriesStatus | CampaignStatus, 'NOT_ELIGIBLE'> => s !== 'NOT_ELIGIBLE',
);

/** The heading over a warning; the engine's explanation gives the detail. */
export const [WARNING_CODES, WarningCode, WARNING_LABELS] = codeSet({
  TOO_EARLY: 'Earlier than the schedule allows',
  TOO_SOON_AFTER_PREVIOUS: 'Too soon after the previous dose',
  OUTSIDE_AGE_WINDOW: 'Outside the age range for this vaccine',
  LIKELY_DUPLICATE: 'This looks like a duplicate',
  NOT_IN_SCHEDULE: 'Not part of this person’s schedule',
  NEEDS_CLINICAL_ASSESSMENT: 'A clinician must assess this person first',
});
export type WarningCode = z.infer<typeof WarningCode>;

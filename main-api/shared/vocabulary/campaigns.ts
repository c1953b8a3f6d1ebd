// Campaign codes: what a communication is for, how it stands, how a booking stands and where it
// came from, how invitations are released and who goes first (migrations/0032; the
// vocabulary's integration test compares the database's checks with these).
import type { z } from 'zod';
import { codeSet } from './code-set';
import { SCHOOL_COMMUNICATION_PURPOSE_LABELS } from './schools';

export const [COMMUNICATION_PURPOSES, CommunicationPurpose, COMMUNICATION_PURPOSE_LABELS] = codeSet({
  INVITATION: 'Invitation',
  REMINDER: 'Reminder',
  RECALL: 'Next-dose recall',
  DID_NOT_ATTEND: 'Missed appointment follow-up',
});
export type CommunicationPurpose = z.infer<typeof CommunicationPurpose>;

/**
 * Every purpose a communication may have: the campaign's, a child's overdue notice, which a
 * child health worklist action asks for (migrations/0041), and a school session's consent
 * request and reminder (0070); the last three belong to no campaign.
 */
export const [STORED_COMMUNICATION_PURPOSES] = codeSet({
  ...COMMUNICATION_PURPOSE_LABELS,
  CHILD_OVERDUE: 'Child overdue',
  ...SCHOOL_COMMUNICATION_PURPOSE_LABELS,
});

export const [COMMUNICATION_STATUSES, CommunicationStatus, COMMUNICATION_STATUS_LABELS] = codeSet({
  PENDING: 'Waiting to be sent',
  SENT: 'Sent',
  FAILED: 'Failed',
  RETURNED: 'Returned',
});
export type CommunicationStatus = z.infer<typeof CommunicationStatus>;

export const [BOOKING_STATUSES, BookingStatus, BOOKING_STATUS_LABELS] = codeSet({
  BOOKED: 'Booked',
  ATTENDED: 'Attended',
  DID_NOT_ATTEND: 'Did not attend',
  CANCELLED: 'Cancelled',
});
export type BookingStatus = z.infer<typeof BookingStatus>;

export const [BOOKING_SOURCES, BookingSource, BOOKING_SOURCE_LABELS] = codeSet({
  HAND: 'Recorded by hand',
  IMPORT: 'Imported from a booking system',
});
export type BookingSource = z.infer<typeof BookingSource>;

export const [BOOKING_ROUTES, BookingRoute, BOOKING_ROUTE_LABELS] = codeSet({
  NATIONAL: 'National booking service',
  LOCAL_LINK: 'Local booking link',
  PHONE: 'Phone number',
});
export type BookingRoute = z.infer<typeof BookingRoute>;

export const [BATCH_STATUSES, BatchStatus, BATCH_STATUS_LABELS] = codeSet({
  DRAFT: 'Draft',
  CONFIRMED: 'Confirmed',
});
export type BatchStatus = z.infer<typeof BatchStatus>;

/** How invitations are released: a cap a day or a week, or as many as the clinics have slots. */
export const [RELEASE_MODES, ReleaseMode, RELEASE_MODE_LABELS] = codeSet({
  'per-day': 'A number each day',
  'per-week': 'A number each week',
  clinic: 'Sized to clinic slots',
});
export type ReleaseMode = z.infer<typeof ReleaseMode>;

/** Who is invited first. */
export const [RELEASE_PRIORITIES, ReleasePriority, RELEASE_PRIORITY_LABELS] = codeSet({
  oldest: 'Oldest first',
  'most-deprived': 'Most deprived areas first (IMD decile)',
  'practice-order': 'Practices in a chosen order',
});
export type ReleasePriority = z.infer<typeof ReleasePriority>;

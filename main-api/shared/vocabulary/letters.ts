// Letters and message templates: what a template is for, the languages a letter is written in,
// how a produced letter stands, and the merge fields a template may name (migrations/0035; the
// vocabulary's integration test compares the database's checks and ims.merge_field with these).
import type { z } from 'zod';
import { codeSet } from './code-set';

/**
 * What a template is for. The first four are the campaign communications' purposes (0032); a
 * child's overdue notice and a staff reminder are written from the worklists and staff clinics.
 */
export const [TEMPLATE_PURPOSES, TemplatePurpose, TEMPLATE_PURPOSE_LABELS] = codeSet({
  INVITATION: 'Invitation',
  REMINDER: 'Reminder',
  RECALL: 'Next-dose recall',
  DID_NOT_ATTEND: 'Missed appointment follow-up',
  CHILD_OVERDUE: 'Child overdue',
  STAFF_REMINDER: 'Staff reminder',
  CONSENT_REQUEST: 'School consent request',
  CONSENT_REMINDER: 'School consent reminder',
});
export type TemplatePurpose = z.infer<typeof TemplatePurpose>;

/**
 * The purposes of the communications that belong to no campaign (a child's overdue message, a
 * school session's consent request and reminder): their templates are standing templates, one
 * version in use per purpose and channel for the whole installation (migrations/0078).
 */
export const [STANDING_TEMPLATE_PURPOSES, StandingTemplatePurpose, STANDING_TEMPLATE_PURPOSE_LABELS] = codeSet({
  CHILD_OVERDUE: 'Child overdue',
  CONSENT_REQUEST: 'School consent request',
  CONSENT_REMINDER: 'School consent reminder',
});
export type StandingTemplatePurpose = z.infer<typeof StandingTemplatePurpose>;

/**
 * The languages a template may carry a variant in (ISO 639-1). English is the template itself;
 * a person whose preferred language has a variant receives that variant.
 */
export const [LETTER_LANGUAGES, LetterLanguage, LETTER_LANGUAGE_LABELS] = codeSet({
  en: 'English',
  cy: 'Welsh (Cymraeg)',
});
export type LetterLanguage = z.infer<typeof LetterLanguage>;

/** How a letter of a production run stands: planned into a file, printed in it, or refused. */
export const [LETTER_OUTPUT_STATUSES] = codeSet({
  PLANNED: 'Planned',
  PRODUCED: 'Produced',
  FAILED: 'Failed',
});

/** How a run lays out its PDFs: files of many letters for a mailing house, or one per letter for Notify. */
export const [LETTER_RUN_LAYOUTS, LetterRunLayout, LETTER_RUN_LAYOUT_LABELS] = codeSet({
  BATCH: 'Print-ready files for a mailing house',
  PER_LETTER: 'One PDF per letter (Notify precompiled)',
});
export type LetterRunLayout = z.infer<typeof LetterRunLayout>;

export const [LETTER_RUN_STATUSES, LetterRunStatus] = codeSet({
  RUNNING: 'Running or interrupted',
  DONE: 'Done',
  CANCELLED: 'Cancelled',
});
export type LetterRunStatus = z.infer<typeof LetterRunStatus>;

/**
 * The merge fields, written as in a template: ((first name)). Case and spacing inside the
 * brackets do not matter (((First  Name)) is the same field). Each is filled from the person,
 * the campaign, its booking route, clinic, the person's practice or the organisation running it.
 */
export const [MERGE_FIELDS, MergeField, MERGE_FIELD_LABELS] = codeSet({
  'first name': "The person's given name",
  'last name': "The person's family name",
  'full name': "The person's given and family names",
  'nhs number': 'NHS number, spaced 3 3 4',
  'date of birth': 'Date of birth, written out',
  address: 'Postal address on one line',
  postcode: 'Postcode',
  campaign: "The campaign's name",
  'booking route': 'How to book, in words',
  'booking link': 'Local booking link (empty when booking is by phone or nationally)',
  'booking phone': 'Booking phone number (empty unless booking is by phone)',
  clinic: "The clinic's name (the person's booked clinic, else the campaign's first)",
  'clinic postcode': "The clinic's postcode",
  'appointment date': 'Date of the booked appointment (empty when none)',
  'due date': 'Date the next dose is due (recall letters; empty otherwise)',
  practice: "The person's GP practice",
  organisation: 'The organisation running the campaign',
  'letter date': 'Date the letter is produced',
  school: "The child's school (school messages; empty otherwise)",
  'session date': 'Date of the school session (school messages; empty otherwise)',
  'school programme': "The school session's programme, such as HPV (school messages; empty otherwise)",
  'consent link': "Where parents give or refuse consent online (the child health service's; empty when none)",
  'consent phone': "The child health service's phone number for consent and questions (empty when none)",
});
export type MergeField = z.infer<typeof MergeField>;

/** The values a merge fills in, keyed by field; an absent or empty value hides an optional block. */
export type MergeValues = Partial<Record<MergeField, string>>;

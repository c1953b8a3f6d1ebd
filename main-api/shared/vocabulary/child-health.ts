// Child health: where a child stands (the register's statuses), the age bands and groupings of
// the register and worklists, and the actions staff record on a child, with their outcomes and
// reasons (migrations/0041; the vocabulary's integration test compares the database's checks).
import type { z } from 'zod';
import { codeSet } from './code-set';

/**
 * A child's status over all their routine schedule series: overdue when any is overdue, else due
 * when any is due, else incomplete when one can no longer be completed as planned (too late,
 * declined, contraindicated, awaiting a clinician), else complete (up to date for their age).
 */
export const [CHILD_STATUSES, ChildStatus, CHILD_STATUS_LABELS] = codeSet({
  OVERDUE: 'Overdue',
  DUE: 'Due',
  INCOMPLETE: 'Incomplete',
  COMPLETE: 'Up to date',
});
export type ChildStatus = z.infer<typeof ChildStatus>;

/** Age bands of the register, in whole years on today (ims.child_age_band in 0041 gives the same years). */
export const [CHILD_AGE_BANDS, ChildAgeBand, CHILD_AGE_BAND_LABELS] = codeSet({
  UNDER_1: 'Under 1',
  '1_TO_4': '1 to 4',
  '5_TO_11': '5 to 11',
  '12_TO_15': '12 to 15',
  '16_TO_19': '16 to 19',
});
export type ChildAgeBand = z.infer<typeof ChildAgeBand>;

export const [WORKLIST_GROUPINGS, WorklistGrouping, WORKLIST_GROUPING_LABELS] = codeSet({
  PRACTICE: 'GP practice',
  SCHOOL: 'School',
});
export type WorklistGrouping = z.infer<typeof WorklistGrouping>;

/** How the register is sorted. */
export const [CHILD_SORTS, ChildSort, CHILD_SORT_LABELS] = codeSet({
  overdue: 'Most overdue first',
  name: 'Name',
  dob: 'Date of birth',
});
export type ChildSort = z.infer<typeof ChildSort>;

/** What a member of staff does about a child. */
export const [CHILD_ACTION_KINDS, ChildActionKind, CHILD_ACTION_KIND_LABELS] = codeSet({
  SEND_LETTER: 'Overdue letter sent',
  SEND_MESSAGE: 'Overdue message sent',
  CALL: 'Phone call',
  DECLINE: 'Declined',
  CONTRAINDICATED: 'Contraindicated',
  MOVED_AWAY: 'Moved away',
  NOT_KNOWN_AT_ADDRESS: 'Not known at address',
  REFER_GP: 'Referred to GP',
});
export type ChildActionKind = z.infer<typeof ChildActionKind>;

/** Actions that end the chase: the child leaves every worklist's open count. */
export const CLOSING_ACTIONS: readonly ChildActionKind[] = ['DECLINE', 'CONTRAINDICATED', 'MOVED_AWAY', 'NOT_KNOWN_AT_ADDRESS'];

/** The words on the button that records each action. */
export const CHILD_ACTION_VERBS: Readonly<Record<ChildActionKind, string>> = {
  SEND_LETTER: 'Send overdue letter',
  SEND_MESSAGE: 'Send overdue message',
  CALL: 'Record a call',
  DECLINE: 'Record a decline',
  CONTRAINDICATED: 'Mark contraindicated',
  MOVED_AWAY: 'Moved away',
  NOT_KNOWN_AT_ADDRESS: 'Not known at address',
  REFER_GP: 'Refer to GP',
};

export const [CALL_OUTCOMES, CallOutcome, CALL_OUTCOME_LABELS] = codeSet({
  SPOKE_WILL_BOOK: 'Spoke to the family: they will book',
  SPOKE_TO_THINK: 'Spoke to the family: they will think about it',
  NO_ANSWER: 'No answer',
  LEFT_MESSAGE: 'Left a message',
  WRONG_NUMBER: 'Wrong number',
});
export type CallOutcome = z.infer<typeof CallOutcome>;

export const [DECLINE_REASONS, DeclineReason, DECLINE_REASON_LABELS] = codeSet({
  PERSONAL_CHOICE: 'Personal choice',
  SAFETY_CONCERNS: 'Concerns about safety',
  RELIGIOUS_OR_CULTURAL: 'Religious or cultural reasons',
  HAD_ABROAD_NO_RECORD: 'Says vaccinated abroad, no record',
  OTHER: 'Other (see note)',
});
export type DeclineReason = z.infer<typeof DeclineReason>;

/** What to do next about a missed appointment (decided in main-api/worklists/worklists.rules.ts). */
export const [, DnaNextAction, DNA_NEXT_ACTION_LABELS] = codeSet({
  SEND_LETTER: 'Send a missed appointment letter',
  AWAIT_REPLY: 'Wait for a reply to the letter',
  CALL: 'Call the family',
  CALL_AGAIN: 'Call again',
  REFER_GP: 'Refer to the GP',
  GP_REFERRED: 'Referred to the GP: wait for the practice',
});
export type DnaNextAction = z.infer<typeof DnaNextAction>;

// Files imported from other systems: the kinds of file, and what became of an import. The
// database holds the same codes (ims.feed_kind, ims.feed_import.status, migration 0039).
import { z } from 'zod';
import { codeSet } from './code-set';

export const [FEED_KINDS, FeedKindCode, FEED_KIND_LABELS] = codeSet({
  'demographics-full': 'Demographics: full load',
  'demographics-delta': 'Demographics: nightly changes',
  'clinical-flags': 'Clinical flags',
  'staff-list': 'Staff list',
  'vaccination-batch-v5': 'NHS vaccination batch file (v5)',
  'onspd-postcodes': 'Postcodes: ONS postcode directory',
  'imd-lsoa': 'Deprivation: English indices (IMD) by LSOA',
  'ods-gp-practices': 'GP practices: ODS (epraccur)',
  'gias-schools': 'Schools: GIAS establishments',
  'class-list': 'School class list',
});
export type FeedKindCode = z.infer<typeof FeedKindCode>;

export const [IMPORT_STATUSES, ImportStatus, IMPORT_STATUS_LABELS] = codeSet({
  LOADING: 'Loading',
  APPLIED: 'Applied',
  ALREADY_APPLIED: 'Already applied: nothing changed',
  FILE_REFUSED: 'File refused',
  OVER_THRESHOLD: 'Refused: too many rows rejected',
  CANCELLED: 'Cancelled',
  ABANDONED: 'Stopped before it finished',
});
export type ImportStatus = z.infer<typeof ImportStatus>;

/** The nightly delta's change types, in the order they are applied. */
export const [DEMOGRAPHIC_CHANGES, , DEMOGRAPHIC_CHANGE_LABELS] = codeSet({
  NEW: 'New registration',
  NAME: 'Change of name',
  ADDRESS: 'Change of address',
  PRACTICE: 'Change of GP practice',
  DEATH: 'Death',
  REMOVAL: 'Removal from the register',
  SUPERSEDE: 'NHS number superseded',
});

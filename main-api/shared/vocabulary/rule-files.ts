// Imported rule files (migrations/0033): the states a version passes through.
import { z } from 'zod';
import { codeSet } from './code-set';

export const [RULE_FILE_STATUSES, RuleFileStatus, RULE_FILE_STATUS_LABELS] = codeSet({
  previewed: 'Previewed, not in use',
  active: 'Active',
  superseded: 'Superseded',
  withdrawn: 'Withdrawn',
});
export type RuleFileStatus = z.infer<typeof RuleFileStatus>;

export const [RULE_FILE_KINDS, RuleFileKind, RULE_FILE_KIND_LABELS] = codeSet({
  schedule: 'Routine schedule',
  campaign: 'Seasonal campaign',
  'catch-up': 'Catch-up planning',
});
export type RuleFileKind = z.infer<typeof RuleFileKind>;

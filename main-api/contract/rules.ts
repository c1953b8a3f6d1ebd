// Channels for the rule files administrators import: a campaign or schedule file added or
// replaced without a release. Importing checks the file and previews what it would change;
// activating puts it in force from its effective date. The database refuses anyone else.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import { RuleFileKind, RuleFileStatus } from '../shared/vocabulary/rule-files';

/** A rule file's text is at most this long (the shipped routine schedule is about 60,000). */
const RULE_FILE_MAX_CHARS = 1_000_000;

export const RuleFileVersionView = z.object({
  version: z.number().int(),
  kind: RuleFileKind,
  ruleId: z.string(),
  ruleVersion: z.string(),
  name: z.string(),
  fileName: z.string().nullable(),
  checksum: z.string(),
  effectiveFrom: isoDate,
  status: RuleFileStatus,
  /** The version the engine uses today for its file (active and its date has come). */
  inForce: z.boolean(),
  /** A shipped file with the same id that this version replaces while in force. */
  replacesShipped: z.boolean(),
  /** Who, by display name where known; when, as 'YYYY-MM-DD HH:MM' on England's clock. */
  importedBy: z.string(),
  importedAt: z.string(),
  activatedBy: z.string().nullable(),
  activatedAt: z.string().nullable(),
  withdrawnBy: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  supersededBy: z.number().int().nullable(),
  /** Why this release's engine leaves an active version out of the rule set (its checks changed), if it does. */
  problem: z.string().nullable(),
});
export type RuleFileVersionView = z.infer<typeof RuleFileVersionView>;

const StatusSummary = z.object({
  status: z.string(),
  dueDate: isoDate.nullable(),
  rulesVersion: z.string(),
});

const RowKind = z.enum(['SERIES', 'CAMPAIGN']);

const PreviewChange = z.object({
  seriesId: z.string(),
  kind: RowKind,
  name: z.string(),
  before: StatusSummary.nullable(),
  after: StatusSummary.nullable(),
  /** The engine's explanation under each rule set (a campaign's with its reasons; empty when the rule set lacks it). */
  explanationBefore: z.array(z.string()),
  explanationAfter: z.array(z.string()),
});

export const RulePreview = z.object({
  /** The day compared: the effective date, or today if that is earlier. */
  onDay: isoDate,
  /** Persons the file can reach (status rows for what it names, or born in its age range). */
  reached: z.number().int().nonnegative(),
  /** Persons worked out under both rule sets. */
  considered: z.number().int().nonnegative(),
  /** True when considered is a random sample of those reached. */
  sampled: z.boolean(),
  /** Persons whose status rows would change, among those considered. */
  changed: z.number().int().nonnegative(),
  /** changed scaled up to everyone reached (equal to changed when not sampled). */
  estimatedChanged: z.number().int().nonnegative(),
  transitions: z.array(
    z.object({
      seriesId: z.string(),
      kind: RowKind,
      name: z.string(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      persons: z.number().int(),
    }),
  ),
  examples: z.array(z.object({ personId: z.number().int(), dateOfBirth: isoDate, changes: z.array(PreviewChange) })),
  rulesBefore: z.string(),
  rulesAfter: z.string(),
});
export type RulePreview = z.infer<typeof RulePreview>;

const RuleImportInput = z.object({
  fileName: z.string().max(200).nullable().default(null),
  text: z.string().min(1, 'Choose a rule file').max(RULE_FILE_MAX_CHARS, 'A rule file is at most 1,000,000 characters'),
  /** From when the file is to be in force once activated; today when left out. */
  effectiveFrom: isoDate.nullable().default(null),
});

export const RuleImportResult = z.object({
  version: z.number().int(),
  /** False when the same file (by checksum) was already imported: that version is returned. */
  created: z.boolean(),
  status: RuleFileStatus,
  kind: RuleFileKind,
  ruleId: z.string(),
  ruleVersion: z.string(),
  name: z.string(),
  effectiveFrom: isoDate,
  checksum: z.string(),
  preview: RulePreview,
});
export type RuleImportResult = z.infer<typeof RuleImportResult>;

const VersionInput = z.object({ version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

const RuleActivation = z.object({
  version: z.number().int(),
  status: RuleFileStatus,
  effectiveFrom: isoDate,
  /** Persons queued for recomputation now (0 when the effective date is still to come). */
  queued: z.number().int().nonnegative(),
});

export const ruleChannels = {
  'rules.list': { input: z.object({}), output: z.object({ versions: z.array(RuleFileVersionView), today: isoDate }) },
  'rules.import': { input: RuleImportInput, output: RuleImportResult },
  'rules.activate': { input: VersionInput, output: RuleActivation },
  'rules.withdraw': {
    input: VersionInput,
    output: z.object({ version: z.number().int(), status: RuleFileStatus, queued: z.number().int().nonnegative() }),
  },
} as const;

export type RuleHandlers = HandlersOf<typeof ruleChannels>;

// Importing, previewing, activating and withdrawing rule files. A file is checked with the
// engine's own checks before anything is stored; the preview works out, for the people the file
// can reach (a random sample when they are many), their status under the rule set in force and
// under the same set with the file. The database decides who may do any of it.
import type { DataSource } from 'typeorm';
import { AppError } from '../contract/result';
import type { RuleHandlers, RuleImportResult, RulePreview, RuleFileVersionView } from '../contract/rules';
import { loadPersonForecastInputs } from '../forecast';
import type { Queryable } from '../platform/db/database';
import {
  activeImportedFiles,
  checkRuleFileText,
  compileRuleFiles,
  effectiveRules,
  resolveRuleSet,
  ruleFileKey,
  ruleFileReach,
  ruleKeyOf,
  refusedImportedFile,
  rulesVersion,
  shippedRuleFiles,
  type CompiledRules,
  type ImportedRuleFile,
  type RuleFileData,
} from '../schedule';
import { createHash } from 'node:crypto';
import { comparePeople } from './rule-preview.rules';
import { RuleFilesRepository } from './rule-files.repository';

/** At most this many people are worked out for a preview; more are sampled at random. */
const PREVIEW_SAMPLE = 1000;

/** One field at fault from the engine's message 'path: what is wrong'. */
function asField(line: string): { field: string; message: string } {
  const at = line.indexOf(': ');
  return at > 0 ? { field: line.slice(0, at), message: line.slice(at + 2) } : { field: '(file)', message: line };
}

/** The file checked, or a VALIDATION error listing every mistake with the field at fault. */
export function checkedRuleFile(text: string): RuleFileData {
  const checked = checkRuleFileText(text);
  if (!checked.ok) {
    const n = checked.errors.length;
    throw new AppError('VALIDATION', `The rule file has ${n} mistake${n === 1 ? '' : 's'}; nothing was stored.`, {
      kind: 'fields',
      fields: checked.errors.map(asField),
    });
  }
  return checked.data;
}

/** The rule sets on day without and with the file (which replaces any import of the same file). */
async function ruleSetsFor(
  db: Queryable,
  data: RuleFileData,
  version: number,
  day: string,
): Promise<{ before: CompiledRules; after: CompiledRules }> {
  const imported = await activeImportedFiles(db, day);
  const before = await effectiveRules(db, day);
  const key = ruleFileKey(data);
  const candidate: ImportedRuleFile = { version, effectiveFrom: day, data };
  const others = imported.filter((v) => ruleFileKey(v.data) !== key);
  let after: CompiledRules;
  try {
    after = compileRuleFiles(resolveRuleSet(shippedRuleFiles(), [...others, candidate], day).files);
  } catch (error) {
    // Each file passed on its own, but not together (a campaign loaded twice, say).
    throw new AppError('VALIDATION', `The rule file does not fit with the rules in force: ${(error as Error).message}`, {
      kind: 'fields',
      fields: [{ field: '(file)', message: (error as Error).message }],
    });
  }
  return { before, after };
}

async function previewRuleFile(db: Queryable, data: RuleFileData, version: number, day: string): Promise<RulePreview> {
  const { before, after } = await ruleSetsFor(db, data, version, day);
  const repo = new RuleFilesRepository(db);
  const { reached, personIds } = await repo.previewSample(ruleFileReach(data), PREVIEW_SAMPLE);
  const inputs = await loadPersonForecastInputs(db, personIds, 'rule file preview');
  const people = [...inputs.values()].map((i) => ({ personId: i.personId, person: i.person, events: i.events }));
  const counts = comparePeople(before, after, people, day);
  const sampled = reached > personIds.length;
  return {
    onDay: day,
    reached,
    considered: counts.considered,
    sampled,
    changed: counts.changed,
    estimatedChanged: sampled && counts.considered > 0 ? Math.round((counts.changed * reached) / counts.considered) : counts.changed,
    transitions: counts.transitions,
    examples: counts.examples,
    rulesBefore: rulesVersion(before),
    rulesAfter: rulesVersion(after),
  };
}

export interface ImportRequest {
  text: string;
  fileName: string | null;
  effectiveFrom: string | null;
  today: string;
  /** False: check and preview only, store nothing (the command line's --preview-only). */
  store: boolean;
}

/** Checks, stores (unless told not to) and previews a rule file. */
export async function importRuleFile(db: Queryable, request: ImportRequest): Promise<RuleImportResult> {
  const data = checkedRuleFile(request.text);
  const asked = request.effectiveFrom ?? request.today;
  const reach = ruleFileReach(data);
  const stored = request.store
    ? await new RuleFilesRepository(db).store(request.text, request.fileName, asked, reach)
    : { version: 0, created: false, status: 'previewed' as const, effectiveFrom: asked };
  // The stored date: an active version imported again keeps its own.
  const effectiveFrom = stored.effectiveFrom;
  // Compared on the day the file takes effect, or today if that has passed.
  const day = effectiveFrom > request.today ? effectiveFrom : request.today;
  const preview = await previewRuleFile(db, data, stored.version, day);
  return {
    version: stored.version,
    created: stored.created,
    status: stored.status,
    kind: data.kind,
    ruleId: data.id,
    ruleVersion: data.version,
    name: data.name,
    effectiveFrom,
    checksum: createHash('sha256').update(request.text, 'utf8').digest('hex'),
    preview,
  };
}

/**
 * Activates a previewed version. The database refuses anyone but an administrator and any
 * version not previewed; then, in the same transaction, the rule set on the version's day must
 * still compile with it (another import may have come since the preview), or nothing changes.
 */
export async function activateRuleFile(ds: DataSource, version: number, today: string) {
  return ds.transaction(async (db) => {
    const activated = await new RuleFilesRepository(db).activate(version, today);
    const day = activated.effectiveFrom > today ? activated.effectiveFrom : today;
    try {
      await effectiveRules(db, day);
    } catch (error) {
      throw new AppError('VALIDATION', `Version ${version} does not fit with the rules in force on ${day}: ${(error as Error).message}`);
    }
    return activated;
  });
}

/** Withdraws a previewed or active version (the database checks who and which). */
export async function withdrawRuleFile(db: Queryable, version: number, today: string) {
  return new RuleFilesRepository(db).withdraw(version, today);
}

/** Every version, newest first, marked with whether the engine uses it today. */
export async function listRuleFiles(db: Queryable, today: string): Promise<RuleFileVersionView[]> {
  const repo = new RuleFilesRepository(db);
  const rows = await repo.list();
  const inForce = new Set(resolveRuleSet(shippedRuleFiles(), await activeImportedFiles(db, today), today).imported.map((v) => v.version));
  const shipped = new Set(shippedRuleFiles().map(ruleFileKey));
  return rows.map((r) => ({
    ...r,
    inForce: inForce.has(r.version),
    replacesShipped: shipped.has(ruleKeyOf(r.kind, r.ruleId, r.ruleVersion)),
    problem: refusedImportedFile(r.version, r.checksum),
  }));
}

/** The handlers for the rule file channels, bound to a signed-in user's connection. */
export function createRuleHandlers(ds: DataSource, today: () => string): RuleHandlers {
  return {
    'rules.list': async () => {
      const day = today();
      return { versions: await listRuleFiles(ds, day), today: day };
    },
    'rules.import': (i) =>
      importRuleFile(ds, { text: i.text, fileName: i.fileName, effectiveFrom: i.effectiveFrom, today: today(), store: true }),
    'rules.activate': (i) => activateRuleFile(ds, i.version, today()),
    'rules.withdraw': (i) => withdrawRuleFile(ds, i.version, today()),
  };
}

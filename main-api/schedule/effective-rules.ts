// The engine's rule set on a day, as every caller that works out someone's status gets it: the
// forecast, the status drain and the population refresh. Which active imported versions are in
// force is read on each call (one small query), so an activation anywhere takes effect at once;
// the compiled set is cached by the versions it holds, since compiling takes milliseconds.
import { query, type Queryable } from '../platform/db/database';
import type { CompiledRules } from './compile';
import { checkRuleFileText } from './load';
import { compileRuleFiles, resolveRuleSet, type ImportedRuleFile } from './rule-set';
import { shippedRuleFiles } from './shipped-rules';

/** A rule set for a day ('YYYY-MM-DD', England's date). */
export type RuleSource = (day: string) => Promise<CompiledRules>;

interface HeadRow {
  version: string;
  effective_from: string;
  checksum: string;
}

const MAX_CACHED = 8;
const compiled = new Map<string, CompiledRules>();
const parsed = new Map<string, ImportedRuleFile>();

/** Active imported versions that have come into force by day (not yet the choice among them). */
async function activeHeads(db: Queryable, day: string): Promise<HeadRow[]> {
  return query<HeadRow>(
    db,
    `SELECT version::text AS version, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, checksum
     FROM ims.rule_file_version WHERE status = 'active' AND effective_from <= $1::date ORDER BY version`,
    [day],
  );
}

/** Turns a stored version's text into engine data; a stored file the engine now refuses is named. */
function importedRuleFile(version: number, effectiveFrom: string, content: string): ImportedRuleFile {
  const checked = checkRuleFileText(content);
  if (!checked.ok) throw new Error(`Imported rule file version ${version} no longer passes the checks: ${checked.errors.join('; ')}`);
  return { version, effectiveFrom, data: checked.data };
}

/**
 * Active versions this release's engine refuses (checks tightened since they were imported), by
 * version, with why. They are left out of the rule set, so one bad file cannot stop every
 * forecast; the rule files list shows them.
 */
const refused = new Map<string, string>();

export function refusedImportedFile(version: number, checksum: string): string | null {
  return refused.get(`${version}:${checksum}`) ?? null;
}

/** The active imported versions in force on day, each parsed once per process. */
export async function activeImportedFiles(db: Queryable, day: string): Promise<ImportedRuleFile[]> {
  const heads = await activeHeads(db, day);
  const missing = heads.filter((h) => !parsed.has(`${h.version}:${h.checksum}`) && !refused.has(`${h.version}:${h.checksum}`));
  if (missing.length > 0) {
    const rows = await query<{ version: string; content: string }>(
      db,
      `SELECT version::text AS version, content FROM ims.rule_file_version WHERE version = ANY ($1::bigint[])`,
      [missing.map((h) => h.version)],
    );
    const content = new Map(rows.map((r) => [r.version, r.content]));
    for (const h of missing) {
      const text = content.get(h.version);
      if (text === undefined) continue;
      try {
        parsed.set(`${h.version}:${h.checksum}`, { ...importedRuleFile(Number(h.version), h.effective_from, text), checksum: h.checksum });
      } catch (error) {
        refused.set(`${h.version}:${h.checksum}`, (error as Error).message);
      }
    }
  }
  const out: ImportedRuleFile[] = [];
  for (const h of heads) {
    const file = parsed.get(`${h.version}:${h.checksum}`);
    // The effective date may have been corrected since the text was parsed.
    if (file) out.push({ ...file, effectiveFrom: h.effective_from });
  }
  return out;
}

/** The compiled rule set in force on day: shipped files, replaced or joined by active imports. */
export async function effectiveRules(db: Queryable, day: string): Promise<CompiledRules> {
  const resolved = resolveRuleSet(shippedRuleFiles(), await activeImportedFiles(db, day), day);
  const key = resolved.imported.map((v) => `${v.version}:${v.checksum ?? ''}@${v.effectiveFrom}`).join(',');
  let rules = compiled.get(key);
  if (!rules) {
    rules = compileRuleFiles(resolved.files);
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, rules);
  }
  return rules;
}

/** The rule source bound to a connection. */
export function effectiveRulesOn(db: Queryable): RuleSource {
  return (day) => effectiveRules(db, day);
}

// Reads rule files from a folder and refuses any with a mistake, naming the file and field.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileCampaign, compileCatchUp, compileScheduleVersion } from './compile';
import { ruleFileSchema, type CampaignData, type CatchUpData, type ScheduleData } from './types';

class RuleFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'RuleFileError';
  }
}

function fieldPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(file)';
}

export type RuleFileData = ScheduleData | CampaignData | CatchUpData;

/** A rule file's text checked: its data, or every mistake found, each naming the field at fault. */
export type RuleFileCheck = { ok: true; data: RuleFileData } | { ok: false; errors: string[] };

/**
 * Checks one rule file's text the way the engine loads it: JSON, then the schema (every issue,
 * 'series[2].doses[0].earliestAge: ...'), then the compiler's checks (dose numbering, dates in
 * order, references), which stop at the first.
 */
export function checkRuleFileText(text: string): RuleFileCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`(file): not valid JSON (${(e as Error).message})`] };
  }
  const parsed = ruleFileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`) };
  try {
    if (parsed.data.kind === 'schedule') compileScheduleVersion(parsed.data, 0);
    else if (parsed.data.kind === 'campaign') compileCampaign(parsed.data);
    else compileCatchUp(parsed.data);
  } catch (e) {
    return { ok: false, errors: [(e as Error).message] };
  }
  return { ok: true, data: parsed.data };
}

/** Parses one rule file's text; throws RuleFileError naming the file and the field at fault. */
function parseRuleFile(file: string, text: string): RuleFileData {
  const checked = checkRuleFileText(text);
  if (!checked.ok) throw new RuleFileError(file, checked.errors.slice(0, 5).join('; '));
  return checked.data;
}

export interface LoadedRules {
  versions: ScheduleData[];
  campaigns: CampaignData[];
  catchUp: CatchUpData[];
  files: string[];
}

/** Loads every *.json in dir (sorted by name, so the order is stable). */
export function loadScheduleFiles(dir: string): LoadedRules {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const out: LoadedRules = { versions: [], campaigns: [], catchUp: [], files };
  for (const f of files) {
    const data = parseRuleFile(f, readFileSync(join(dir, f), 'utf8'));
    if (data.kind === 'schedule') out.versions.push(data);
    else if (data.kind === 'campaign') out.campaigns.push(data);
    else out.catchUp.push(data);
  }
  return out;
}

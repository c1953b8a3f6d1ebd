// The schedule rules, compiled once per process: compiling validates every rule file, which
// is far too slow to repeat for each request or each person in a population run.
import { join } from 'node:path';
import { resourcesDir } from '../platform/paths';
import { compileSchedule, type CompiledRules } from './compile';
import { loadScheduleFiles, type RuleFileData } from './load';

const cache = new Map<string, CompiledRules>();
let shippedFiles: RuleFileData[] | null = null;

function defaultRulesDir(): string {
  return join(resourcesDir(), 'schedule');
}

/** The compiled rules in a folder (resources/schedule unless told), cached by folder. */
export function scheduleRules(dir: string = defaultRulesDir()): CompiledRules {
  let rules = cache.get(dir);
  if (!rules) {
    const loaded = loadScheduleFiles(dir);
    rules = compileSchedule(loaded.versions, loaded.campaigns, loaded.catchUp);
    cache.set(dir, rules);
  }
  return rules;
}

/** The shipped rule files (resources/schedule), read and checked once: imported versions replace or join them. */
export function shippedRuleFiles(): RuleFileData[] {
  if (!shippedFiles) {
    const loaded = loadScheduleFiles(defaultRulesDir());
    shippedFiles = [...loaded.versions, ...loaded.campaigns, ...loaded.catchUp];
  }
  return shippedFiles;
}

const versions = new WeakMap<CompiledRules, string>();

/** Which rule sets were used, e.g. 'ENG-ROUTINE v2025-26, FLU-2025-26 v1'; stored with results. */
export function rulesVersion(rules: CompiledRules): string {
  let text = versions.get(rules);
  if (text === undefined) {
    const parts: string[] = [];
    for (const list of rules.schedules) for (const v of list) parts.push(`${v.scheduleId} v${v.version}`);
    for (const c of rules.campaigns) parts.push(`${c.id} v${c.version}`);
    text = parts.join(', ');
    versions.set(rules, text);
  }
  return text;
}

// The rule set the engine uses on a day: the shipped files (resources/schedule), each replaced
// or joined by the imported version in force that day. This is the one place that decides it;
// the database resolver (effective-rules.ts) only fetches the imported versions.
import { addMonthsDays, formatDay, requireDay } from '../shared/calendar/dates';
import { compileSchedule, type CompiledRules } from './compile';
import type { RuleFileData } from './load';

/** An imported rule file version as the engine needs it. */
export interface ImportedRuleFile {
  /** The store's version number (ims.rule_file_version.version). */
  version: number;
  /** From this day (England's date) the version is in force, if active. */
  effectiveFrom: string;
  data: RuleFileData;
  /** SHA-256 of the file's text, where known: two databases may hold different files under one number. */
  checksum?: string;
}

/**
 * What an imported file replaces. A campaign replaces the campaign with the same id whatever its
 * version (one season, one set of criteria). A schedule or catch-up file replaces the one with
 * the same id and version; a new version joins the others, each in force from its own
 * effectiveFrom, as shipped schedule versions are.
 */
export function ruleFileKey(data: RuleFileData): string {
  return ruleKeyOf(data.kind, data.id, data.version);
}

export function ruleKeyOf(kind: RuleFileData['kind'], id: string, version: string): string {
  return kind === 'campaign' ? `campaign:${id}` : `${kind}:${id}@${version}`;
}

/** The version an imported file is known by in explanations and in series_status.rules_version. */
function importedVersionLabel(fileVersion: string, importVersion: number): string {
  return `${fileVersion} import ${importVersion}`;
}

export interface ResolvedRuleSet {
  files: RuleFileData[];
  /** The imported versions used, by key (each the latest in force on the day). */
  imported: ImportedRuleFile[];
}

/**
 * The files in force on day: for each key, the imported version with the latest effective date
 * on or before day (the highest version number on a tie) replaces the shipped file with that key,
 * or joins the shipped files when none has it. Imported versions are labelled with their import
 * version, so a status row says which file produced it.
 */
export function resolveRuleSet(shipped: readonly RuleFileData[], imported: readonly ImportedRuleFile[], day: string): ResolvedRuleSet {
  const inForce = new Map<string, ImportedRuleFile>();
  for (const v of imported) {
    if (v.effectiveFrom > day) continue;
    const key = ruleFileKey(v.data);
    const held = inForce.get(key);
    if (!held || v.effectiveFrom > held.effectiveFrom || (v.effectiveFrom === held.effectiveFrom && v.version > held.version))
      inForce.set(key, v);
  }
  const files: RuleFileData[] = [];
  const used = new Set<string>();
  for (const f of shipped) {
    const key = ruleFileKey(f);
    const over = inForce.get(key);
    if (!over) files.push(f);
    else if (!used.has(key)) {
      files.push(labelled(over));
      used.add(key);
    }
  }
  const chosen = [...inForce.values()].sort((a, b) => a.version - b.version);
  for (const v of chosen) if (!used.has(ruleFileKey(v.data))) files.push(labelled(v));
  return { files, imported: chosen };
}

function labelled(v: ImportedRuleFile): RuleFileData {
  return { ...v.data, version: importedVersionLabel(v.data.version, v.version) } as RuleFileData;
}

/** Compiles a resolved set of files. Throws, naming the rule, when they do not fit together. */
export function compileRuleFiles(files: readonly RuleFileData[]): CompiledRules {
  const versions = [];
  const campaigns = [];
  const catchUp = [];
  for (const f of files) {
    if (f.kind === 'schedule') versions.push(f);
    else if (f.kind === 'campaign') campaigns.push(f);
    else catchUp.push(f);
  }
  return compileSchedule(versions, campaigns, catchUp);
}

/**
 * Whom a file can change, for the preview and for queuing recomputation: the series or campaign
 * ids it names (anyone with a status row for one), and the dates of birth it can reach. A
 * schedule reaches everyone (its series start at birth); a campaign reaches the birth dates its
 * age criteria allow, or everyone when a criterion has no age (pregnancy, frontline staff); a
 * catch-up file changes no status. Bounds are widened by a week, to be safe with month ends.
 */
export interface RuleFileReach {
  ids: string[];
  everyone: boolean;
  bornFrom: string | null;
  bornTo: string | null;
}

const SLACK_DAYS = 7;

function spanParts(spec: string): { months: number; days: number } | null {
  const m = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?$/.exec(spec);
  if (!m || spec === '') return null;
  return { months: Number(m[1] ?? 0) * 12 + Number(m[2] ?? 0), days: Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0) };
}

export function ruleFileReach(data: RuleFileData): RuleFileReach {
  if (data.kind === 'catch-up') return { ids: [], everyone: false, bornFrom: null, bornTo: null };
  if (data.kind === 'schedule') return { ids: data.series.map((s) => s.id), everyone: true, bornFrom: null, bornTo: null };
  const start = requireDay(data.startDate, 'startDate');
  const end = requireDay(data.endDate, 'endDate');
  let lo = Infinity;
  let hi = -Infinity;
  for (const k of data.criteria) {
    if (k.age === null) return { ids: [data.id], everyone: true, bornFrom: null, bornTo: null };
    const first = k.age.on === 'assessment' ? start : requireDay(k.age.on, 'age.on');
    const last = k.age.on === 'assessment' ? end : first;
    // Aged at least min on the last day: born on or before last - min.
    const min = k.age.min === null ? { months: 0, days: 0 } : spanParts(k.age.min);
    const below = k.age.below === null ? null : spanParts(k.age.below);
    if (min === null || (k.age.below !== null && below === null)) return { ids: [data.id], everyone: true, bornFrom: null, bornTo: null };
    hi = Math.max(hi, addMonthsDays(last, -min.months, -min.days) + SLACK_DAYS);
    // Younger than below on the first day: born after first - below.
    lo = below === null ? -Infinity : Math.min(lo, addMonthsDays(first, -below.months, -below.days) - SLACK_DAYS);
  }
  return {
    ids: [data.id],
    everyone: false,
    bornFrom: lo === -Infinity ? null : formatDay(lo),
    bornTo: hi === -Infinity ? null : formatDay(hi),
  };
}

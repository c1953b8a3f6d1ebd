// Turns validated rule data into compact structures once, so forecasting a person does no
// parsing, no regex and almost no allocation.
import { addMonthsDays, formatLongDay, requireDay, schoolYearStart } from '../shared/calendar/dates';
import {
  ANTIGENS,
  FLAG_CODES,
  campaignDataSchema,
  catchUpDataSchema,
  scheduleDataSchema,
  type CampaignData,
  type CampaignDataInput,
  type CatchUpData,
  type CautionData,
  type DoseRuleData,
  type ScheduleData,
  type ScheduleDataInput,
} from './types';

/** Open ends of a date window. */
export const NEG = -Infinity;
export const POS = Infinity;

/** An age or period in compiled form. school >= 0 means '1 Sep at the start of school year N'. */
export interface Span {
  school: number;
  months: number;
  days: number;
  text: string;
}

function parseSpan(spec: string): Span {
  const school = /^schoolYear:(\d+)$/.exec(spec);
  if (school) {
    const n = Number(school[1]);
    return { school: n, months: 0, days: 0, text: n === 0 ? 'the start of Reception' : `the start of school Year ${n}` };
  }
  const m = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?$/.exec(spec);
  if (!m || spec === '') throw new RangeError(`'${spec}' is not an age or period`);
  const y = Number(m[1] ?? 0);
  const mo = Number(m[2] ?? 0);
  const w = Number(m[3] ?? 0);
  const d = Number(m[4] ?? 0);
  const parts: string[] = [];
  const unit = (n: number, word: string) => parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  if (y) unit(y, 'year');
  if (mo) unit(mo, 'month');
  if (w) unit(w, 'week');
  if (d) unit(d, 'day');
  return { school: -1, months: y * 12 + mo, days: w * 7 + d, text: parts.length ? parts.join(' ') : 'birth' };
}

/** The day a person born on dob reaches an age. */
export function ageDay(dob: number, a: Span): number {
  return a.school >= 0 ? schoolYearStart(dob, a.school) : addMonthsDays(dob, a.months, a.days);
}

export function addSpan(day: number, p: Span): number {
  return addMonthsDays(day, p.months, p.days);
}

export function antigenMask(codes: readonly string[]): number {
  let mask = 0;
  for (const c of codes) {
    const i = ANTIGEN_INDEX.get(c);
    if (i !== undefined) mask |= 1 << i;
  }
  return mask;
}

export function maskAntigens(mask: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ANTIGENS.length; i++) if (mask & (1 << i)) out.push(ANTIGENS[i] as string);
  return out;
}

const ANTIGEN_INDEX = new Map<string, number>(ANTIGENS.map((a, i) => [a, i]));
export const FLAG_INDEX = new Map<string, number>(FLAG_CODES.map((f, i) => [f, i]));

function flagMask(codes: readonly string[]): number {
  let mask = 0;
  for (const c of codes) mask |= 1 << (FLAG_INDEX.get(c) as number);
  return mask;
}

type OverdueKind = 'afterDue' | 'age' | 'afterPrevious';

export interface CompiledDose {
  rule: string;
  dose: number;
  earliest: Span;
  due: Span;
  overdueKind: OverdueKind;
  overdue: Span;
  before: Span | null;
  minInterval: Span | null;
  dueInterval: Span | null;
  afterMask: number;
  afterInterval: Span | null;
  afterDescription: string;
  notNeededAfter: Span | null;
  bornFrom: number;
  bornTo: number;
  effFrom: number;
  effTo: number;
  product: string;
  notes: string;
}

/** The dose rows that apply to one date-of-birth band of a series. */
export interface CohortSegment {
  from: number;
  to: number;
  /** entries[k] = rows for dose k+1; dose numbers stop at the first gap. */
  entries: CompiledDose[][];
  /** 'Born on or after 1 Jan 2025, so ...' (built once). */
  description: string;
}

export interface CompiledCaution {
  rule: string;
  flagsMask: number;
  min: Span | null;
  below: Span | null;
  reason: string;
  alternative: string | null;
  effFrom: number;
  source: string;
}

export interface CompiledSeries {
  index: number;
  id: string;
  name: string;
  kind: 'course' | 'requirement';
  scheduleId: string;
  version: string;
  scheduleName: string;
  mask: number;
  exact: boolean;
  antigenText: string;
  products: string[];
  considerFrom: Span | null;
  exclusiveWith: number[];
  bornFrom: number;
  bornTo: number;
  requiresMask: number;
  requiresText: string;
  excludedMask: number;
  excludedText: string;
  trackUntil: Span | null;
  openFrom: Span | null;
  continuedBy: { from: Span; series: string; description: string; source: string } | null;
  vaccineGroup: string;
  /** Ages count from week 0 of the pregnancy the flag's end date (expected delivery) dates; see types.ts. */
  gestation: { flag: string; termDays: number } | null;
  cautions: CompiledCaution[];
  source: string;
  /** Sorted, contiguous bands; a person's band is found by binary search on date of birth. */
  segments: CohortSegment[];
  notes: string;
}

export interface CompiledVersion {
  scheduleId: string;
  version: string;
  name: string;
  effFrom: number;
  effTo: number;
  series: CompiledSeries[];
}

interface CompiledCriterion {
  id: string;
  label: string;
  start: number;
  end: number;
  ageOnAssessment: boolean;
  ageOn: number;
  min: Span | null;
  below: Span | null;
  flagsMask: number;
  frontline: boolean;
  secondDose: { rule: string; below: Span; interval: Span; source: string } | null;
}

export interface CompiledCampaign {
  id: string;
  version: string;
  name: string;
  mask: number;
  start: number;
  end: number;
  countFrom: number;
  criteria: CompiledCriterion[];
  cautions: CompiledCaution[];
}

export interface CompiledCatchUp {
  id: string;
  version: string;
  name: string;
  effFrom: number;
  source: string;
  minVisitInterval: Span;
  horizon: Span;
  maxVisits: number;
  countsTowards: { rule: string; series: string; mask: number; note: string }[];
}

export interface CompiledRules {
  /** Versions grouped by schedule id, each group sorted by effectiveFrom. */
  schedules: CompiledVersion[][];
  /** Total series across all versions; series indexes are global. */
  seriesCount: number;
  campaigns: CompiledCampaign[];
  /** Catch-up planning rules, sorted by effectiveFrom. */
  catchUp: CompiledCatchUp[];
}

const optDay = (s: string | null, dflt: number, what: string) => (s === null ? dflt : requireDay(s, what));

function compileDose(d: DoseRuleData, where: string): CompiledDose {
  const overdueKind: OverdueKind = 'afterDue' in d.overdue ? 'afterDue' : 'age' in d.overdue ? 'age' : 'afterPrevious';
  const overdueSpec = 'afterDue' in d.overdue ? d.overdue.afterDue : 'age' in d.overdue ? d.overdue.age : d.overdue.afterPrevious;
  if (overdueKind === 'afterPrevious' && d.dose === 1) throw new Error(`${where}: overdue.afterPrevious cannot be used for dose 1`);
  const c: CompiledDose = {
    rule: d.rule,
    dose: d.dose,
    earliest: parseSpan(d.earliestAge),
    due: parseSpan(d.dueAge),
    overdueKind,
    overdue: parseSpan(overdueSpec),
    before: d.beforeAge === null ? null : parseSpan(d.beforeAge),
    minInterval: d.minInterval === null ? null : parseSpan(d.minInterval),
    dueInterval: d.dueInterval === null ? null : parseSpan(d.dueInterval),
    afterMask: d.afterLastDoseOf ? antigenMask(d.afterLastDoseOf.antigens) : 0,
    afterInterval: d.afterLastDoseOf ? parseSpan(d.afterLastDoseOf.interval) : null,
    afterDescription: d.afterLastDoseOf?.description ?? '',
    notNeededAfter: d.notNeededAfterAge === null ? null : parseSpan(d.notNeededAfterAge),
    bornFrom: optDay(d.bornFrom, NEG, `${where} bornFrom`),
    bornTo: optDay(d.bornTo, POS, `${where} bornTo`),
    effFrom: optDay(d.effectiveFrom, NEG, `${where} effectiveFrom`),
    effTo: optDay(d.effectiveTo, POS, `${where} effectiveTo`),
    product: d.product,
    notes: d.notes,
  };
  if (c.bornFrom > c.bornTo) throw new Error(`${where}: bornFrom is after bornTo`);
  if (c.effFrom > c.effTo) throw new Error(`${where}: effectiveFrom is after effectiveTo`);
  // A due age earlier than the earliest age would make a dose 'due' before it can count.
  if (c.earliest.school < 0 && c.due.school < 0 && c.due.months * 31 + c.due.days < c.earliest.months * 28 + c.earliest.days) {
    throw new Error(`${where}: dueAge ${d.dueAge} is before earliestAge ${d.earliestAge}`);
  }
  return c;
}

function compileCaution(c: CautionData, where: string): CompiledCaution {
  return {
    rule: c.rule,
    flagsMask: flagMask(c.flagsAny),
    min: c.minAge === null ? null : parseSpan(c.minAge),
    below: c.belowAge === null ? null : parseSpan(c.belowAge),
    reason: c.reason,
    alternative: c.alternative,
    effFrom: requireDay(c.effectiveFrom, `${where} caution ${c.rule} effectiveFrom`),
    source: c.source,
  };
}

function bornText(from: number, to: number): string {
  if (from === NEG && to === POS) return 'Any date of birth';
  if (from === NEG) return `Born on or before ${formatLongDay(to)}`;
  if (to === POS) return `Born on or after ${formatLongDay(from)}`;
  return `Born ${formatLongDay(from)} to ${formatLongDay(to)}`;
}

/** ' of pregnancy' after an age in a series timed by weeks of pregnancy. */
export const weeksOf = (s: CompiledSeries): string => (s.gestation ? ' of pregnancy' : '');

function rowText(e: CompiledDose, of: string): string {
  let s = `dose ${e.dose} (${e.product}) at ${e.due.text}${of}`;
  if (e.effFrom !== NEG && e.effTo !== POS) s += ` from ${formatLongDay(e.effFrom)} to ${formatLongDay(e.effTo)}`;
  else if (e.effFrom !== NEG) s += ` from ${formatLongDay(e.effFrom)}`;
  else if (e.effTo !== POS) s += ` until ${formatLongDay(e.effTo)}`;
  return s;
}

function buildSegments(series: CompiledSeries, doses: CompiledDose[], version: string): CohortSegment[] {
  const cuts = new Set<number>([series.bornFrom]);
  for (const d of doses) {
    if (d.bornFrom > series.bornFrom) cuts.add(d.bornFrom);
    if (d.bornTo < series.bornTo) cuts.add(d.bornTo + 1);
  }
  const starts = [...cuts].sort((a, b) => a - b);
  const segments: CohortSegment[] = [];
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i] as number;
    const next = starts[i + 1];
    const to = next === undefined ? series.bornTo : next - 1;
    const entries: CompiledDose[][] = [];
    for (let k = 1; ; k++) {
      const rows = doses.filter((d) => d.dose === k && d.bornFrom <= from && d.bornTo >= to);
      if (rows.length === 0) break;
      rows.sort((a, b) => a.effFrom - b.effFrom);
      entries.push(rows);
    }
    const rules = [...new Set(entries.flat().map((e) => e.rule))].join(', ');
    const of = weeksOf(series);
    const who = series.gestation ? 'In each pregnancy' : bornText(from, to);
    const description = entries.length
      ? `${who}, so ${series.name}: ${entries.map((rows) => rows.map((r) => rowText(r, of)).join('; ')).join(', ')} (rule${rules.includes(',') ? 's' : ''} ${rules} v${version})`
      : `${bornText(from, to)}: not in the ${series.name} programme (v${version})`;
    segments.push({ from, to, entries, description });
  }
  return segments;
}

export function compileScheduleVersion(input: ScheduleData | ScheduleDataInput, seriesBase: number): CompiledVersion {
  const data = scheduleDataSchema.parse(input);
  const where0 = `schedule ${data.id} v${data.version}`;
  const ids = new Map<string, number>();
  const series: CompiledSeries[] = [];
  data.series.forEach((s, si) => {
    const where = `${where0} series ${s.id}`;
    if (ids.has(s.id)) throw new Error(`${where}: duplicate series id`);
    const doses = s.doses.map((d, di) => compileDose(d, `${where} doses[${di}] (${d.rule})`));
    const numbers = new Set(doses.map((d) => d.dose));
    for (let k = 1; k <= numbers.size; k++)
      if (!numbers.has(k)) throw new Error(`${where}: dose numbers must run 1..n without gaps (missing dose ${k})`);
    const exclusiveWith = s.exclusiveWith.map((id) => {
      const idx = ids.get(id);
      if (idx === undefined) throw new Error(`${where}: exclusiveWith '${id}' must name a series listed earlier in the same file`);
      return idx;
    });
    const compiled: CompiledSeries = {
      index: seriesBase + si,
      id: s.id,
      name: s.name,
      kind: s.kind,
      scheduleId: data.id,
      version: data.version,
      scheduleName: data.name,
      mask: antigenMask(s.antigens),
      exact: s.match === 'exact',
      antigenText: s.antigens.join(', '),
      products: s.interchangeableProducts,
      considerFrom: s.considerFromAge === null ? null : parseSpan(s.considerFromAge),
      exclusiveWith,
      bornFrom: optDay(s.bornFrom, NEG, `${where} bornFrom`),
      bornTo: optDay(s.bornTo, POS, `${where} bornTo`),
      requiresMask: flagMask(s.requiresFlags),
      requiresText: s.requiresFlags.join(' or '),
      excludedMask: flagMask(s.excludedByFlags),
      excludedText: s.excludedByFlags.join(' or '),
      trackUntil: s.trackUntilAge === null ? null : parseSpan(s.trackUntilAge),
      openFrom: s.openFromAge === null ? null : parseSpan(s.openFromAge),
      continuedBy: s.continuedBy
        ? {
            from: parseSpan(s.continuedBy.fromAge),
            series: s.continuedBy.series,
            description: s.continuedBy.description,
            source: s.continuedBy.source,
          }
        : null,
      vaccineGroup: s.vaccineGroup ?? s.id,
      gestation: s.gestation ? { flag: s.gestation.flag, termDays: parseSpan(s.gestation.term).days } : null,
      cautions: s.cautions.map((c) => compileCaution(c, where)),
      source: s.source,
      segments: [],
      notes: s.notes,
    };
    // Weeks of pregnancy say nothing about date of birth: one band, never a cohort.
    if (
      compiled.gestation &&
      (compiled.bornFrom !== NEG || compiled.bornTo !== POS || doses.some((d) => d.bornFrom !== NEG || d.bornTo !== POS))
    )
      throw new Error(`${where}: a series timed by weeks of pregnancy cannot have date-of-birth cohorts`);
    compiled.segments = buildSegments(compiled, doses, data.version);
    ids.set(s.id, compiled.index);
    series.push(compiled);
  });
  // A course handed over at an age must name a series of the same version.
  for (const s of series)
    if (s.continuedBy && !ids.has(s.continuedBy.series))
      throw new Error(`${where0} series ${s.id}: continuedBy names unknown series '${s.continuedBy.series}'`);
  return {
    scheduleId: data.id,
    version: data.version,
    name: data.name,
    effFrom: requireDay(data.effectiveFrom, `${where0} effectiveFrom`),
    effTo: optDay(data.effectiveTo, POS, `${where0} effectiveTo`),
    series,
  };
}

export function compileCampaign(input: CampaignData | CampaignDataInput): CompiledCampaign {
  const c = campaignDataSchema.parse(input);
  const where = `campaign ${c.id} v${c.version}`;
  const start = requireDay(c.startDate, `${where} startDate`);
  const end = requireDay(c.endDate, `${where} endDate`);
  if (start > end) throw new Error(`${where}: startDate is after endDate`);
  return {
    id: c.id,
    version: c.version,
    name: c.name,
    mask: antigenMask(c.antigens),
    start,
    end,
    countFrom: optDay(c.countGivenFrom, start, `${where} countGivenFrom`),
    criteria: c.criteria.map((k) => ({
      id: k.id,
      label: k.label,
      start: optDay(k.startDate, start, `${where} ${k.id} startDate`),
      end: optDay(k.endDate, end, `${where} ${k.id} endDate`),
      ageOnAssessment: k.age?.on === 'assessment',
      ageOn: k.age && k.age.on !== 'assessment' ? requireDay(k.age.on, `${where} ${k.id} age.on`) : 0,
      min: k.age?.min ? parseSpan(k.age.min) : null,
      below: k.age?.below ? parseSpan(k.age.below) : null,
      flagsMask: flagMask(k.flagsAny),
      frontline: k.frontlineStaff,
      secondDose: k.secondDose
        ? {
            rule: k.secondDose.rule,
            below: parseSpan(k.secondDose.belowAge),
            interval: parseSpan(k.secondDose.interval),
            source: k.secondDose.source,
          }
        : null,
    })),
    cautions: c.cautions.map((k) => compileCaution(k, where)),
  };
}

export function compileCatchUp(input: CatchUpData): CompiledCatchUp {
  const c = catchUpDataSchema.parse(input);
  return {
    id: c.id,
    version: c.version,
    name: c.name,
    effFrom: requireDay(c.effectiveFrom, `catch-up ${c.id} effectiveFrom`),
    source: c.source,
    minVisitInterval: parseSpan(c.minVisitInterval),
    horizon: parseSpan(c.horizon),
    maxVisits: c.maxVisits,
    countsTowards: c.countsTowards.map((t) => ({ rule: t.rule, series: t.series, mask: antigenMask(t.antigens), note: t.note })),
  };
}

/** Validates and precompiles every schedule version and campaign. Throws with the rule named on a mistake. */
export function compileSchedule(
  versions: (ScheduleData | ScheduleDataInput)[],
  campaigns: (CampaignData | CampaignDataInput)[],
  catchUp: CatchUpData[] = [],
): CompiledRules {
  let base = 0;
  const byId = new Map<string, CompiledVersion[]>();
  for (const v of versions) {
    const cv = compileScheduleVersion(v, base);
    base += cv.series.length;
    const list = byId.get(cv.scheduleId) ?? [];
    list.push(cv);
    byId.set(cv.scheduleId, list);
  }
  for (const list of byId.values()) list.sort((a, b) => a.effFrom - b.effFrom);
  const compiledCampaigns = campaigns.map(compileCampaign);
  const seen = new Set<string>();
  for (const c of compiledCampaigns) {
    const key = `${c.id}@${c.version}`;
    if (seen.has(key)) throw new Error(`campaign ${c.id} v${c.version} is loaded twice`);
    seen.add(key);
  }
  const plans = catchUp.map(compileCatchUp).sort((a, b) => a.effFrom - b.effFrom);
  const seriesIds = new Set([...byId.values()].flatMap((list) => list.flatMap((v) => v.series.map((x) => x.id))));
  for (const p of plans)
    for (const t of p.countsTowards)
      if (!seriesIds.has(t.series))
        throw new Error(`catch-up ${p.id} ${t.rule}: countsTowards names series ${t.series}, which no schedule has`);
  return { schedules: [...byId.values()], seriesCount: base, campaigns: compiledCampaigns, catchUp: plans };
}

/** The version of a schedule in force on a day (the nearest one when none is). */
export function versionOn(list: CompiledVersion[], day: number): CompiledVersion {
  let chosen = list[0] as CompiledVersion;
  for (const v of list) {
    if (v.effFrom <= day) chosen = v;
  }
  return chosen;
}

/** A person's cohort band of a series, or null when their date of birth is outside it. */
export function segmentFor(s: CompiledSeries, dob: number): CohortSegment | null {
  const segs = s.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const seg = segs[mid] as CohortSegment;
    if (dob < seg.from) hi = mid - 1;
    else if (dob > seg.to) lo = mid + 1;
    else return seg;
  }
  return null;
}

/** The row of a dose in force on a day; else the next one to come into force; else the last that was. */
export function rowOn(rows: CompiledDose[], day: number): CompiledDose {
  let future: CompiledDose | null = null;
  let past: CompiledDose | null = null;
  for (const r of rows) {
    if (r.effFrom <= day && day <= r.effTo) return r;
    if (r.effFrom > day) {
      if (future === null || r.effFrom < future.effFrom) future = r;
    } else if (past === null || r.effTo > past.effTo) past = r;
  }
  return (future ?? past) as CompiledDose;
}

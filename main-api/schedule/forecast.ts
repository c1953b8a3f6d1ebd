// The forecast: for one person on one date, where each series stands and why.
// Hot path for population runs: integer day numbers, bitmasks, precompiled rules.
import {
  FLAG_INDEX,
  addSpan,
  antigenMask,
  rowOn,
  segmentFor,
  versionOn,
  weeksOf,
  NEG,
  POS,
  type CohortSegment,
  type CompiledCampaign,
  type CompiledCaution,
  type CompiledDose,
  type CompiledRules,
  type CompiledSeries,
  type Span,
} from './compile';
import {
  civilFromDay,
  dayFromCivil,
  describeExactAge,
  monthsAfterCivil,
  formatDay,
  formatLongDay,
  parseDay,
  requireDay,
  weeksAndDays,
} from '../shared/calendar/dates';
import type {
  CampaignForecast,
  CampaignStatus,
  EventInput,
  Forecast,
  ForecastOptions,
  NotGivenReason,
  PersonInput,
  SeriesForecast,
  SeriesStatus,
} from './types';
import { NOT_GIVEN_REASON_LABELS } from '../shared/vocabulary/vaccination';
import { NO_NEXT_DOSE } from '../contract/forecast';

/** Per-person facts, parsed once and shared by every series. */
export interface PersonContext {
  dob: number;
  dobY: number;
  dobM: number;
  dobD: number;
  asOf: number;
  death: number;
  flagsAsOf: number;
  person: PersonInput;
  /** Events sorted by date; parallel arrays avoid an object per event. */
  n: number;
  day: number[];
  mask: number[];
  given: boolean[];
  reason: (NotGivenReason | null)[];
  ids: (string | number | null)[];
  dates: string[];
  /** counted[e * seriesCount + seriesIndex] = dose number + 1 when event e counted for that series. */
  counted: Uint8Array;
  seriesCount: number;
}

let countedScratch = new Uint8Array(1024);

function flagsOn(person: PersonInput, day: number): number {
  let mask = 0;
  for (const f of person.flags) {
    const i = FLAG_INDEX.get(f.code);
    if (i === undefined) continue;
    if (parseDay(f.from) <= day && (f.to === null || parseDay(f.to) >= day)) mask |= 1 << i;
  }
  return mask;
}

function frontlineOn(person: PersonInput, day: number): boolean {
  if (!person.staff) return false;
  for (const s of person.staff) {
    if (s.frontline && parseDay(s.from) <= day && (s.to === null || parseDay(s.to) >= day)) return true;
  }
  return false;
}

export function buildContext(rules: CompiledRules, person: PersonInput, events: EventInput[], asOf: string): PersonContext {
  const dob = requireDay(person.dateOfBirth, 'dateOfBirth');
  const asOfDay = requireDay(asOf, 'asOf');
  const death = person.dateOfDeath ? requireDay(person.dateOfDeath, 'dateOfDeath') : POS;
  const n = events.length;
  // Sort indexes by date only when the caller has not already (the usual case is sorted).
  const order: number[] = new Array(n);
  const evDays: number[] = new Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const e = events[i] as EventInput;
    const d = parseDay(e.date);
    if (Number.isNaN(d)) throw new RangeError(`event ${e.id ?? i} has an invalid date '${e.date}'`);
    evDays[i] = d;
    order[i] = i;
    if (i > 0 && d < (evDays[i - 1] as number)) sorted = false;
  }
  if (!sorted) order.sort((a, b) => (evDays[a] as number) - (evDays[b] as number) || a - b);
  const [dobY, dobM, dobD] = civilFromDay(dob, [0, 0, 0]);
  const ctx: PersonContext = {
    dob,
    dobY,
    dobM,
    dobD,
    asOf: asOfDay,
    death,
    flagsAsOf: flagsOn(person, asOfDay),
    person,
    n,
    day: new Array(n),
    mask: new Array(n),
    given: new Array(n),
    reason: new Array(n),
    ids: new Array(n),
    dates: new Array(n),
    counted: countedScratch,
    seriesCount: rules.seriesCount,
  };
  for (let j = 0; j < n; j++) {
    const i = order[j] as number;
    const e = events[i] as EventInput;
    ctx.day[j] = evDays[i] as number;
    ctx.mask[j] = antigenMask(e.antigens);
    ctx.given[j] = e.outcome === 'GIVEN';
    ctx.reason[j] = e.reason ?? null;
    ctx.ids[j] = e.id ?? null;
    ctx.dates[j] = e.date;
  }
  const need = n * rules.seriesCount;
  if (countedScratch.length < need) countedScratch = new Uint8Array(need * 2);
  ctx.counted = countedScratch;
  ctx.counted.fill(0, 0, need);
  return ctx;
}

/** Everything decided about one series, as numbers (for the proposed-dose check) and as output. */
export interface SeriesState {
  series: CompiledSeries;
  out: SeriesForecast;
  row: CompiledDose | null;
  counted: number;
  lastDay: number;
  earliestByAge: number;
  intervalDay: number;
  /** Day of the other-series dose that sets intervalDay, or -Infinity when the same-series interval does. */
  intervalPrior: number;
  effFrom: number;
  dueFrom: number;
  dueDay: number;
  overdueDay: number;
  latestDay: number;
  considerFromDay: number;
  dueByAge: number;
  behind: boolean;
  segment: CohortSegment | null;
  /** The day the series' ages count from: birth, or week 0 of the current pregnancy. */
  origin: number;
}

function matches(s: CompiledSeries, m: number): boolean {
  return s.exact ? m === s.mask : (m & s.mask) === s.mask;
}

const rule = (r: CompiledDose, s: CompiledSeries) => `rule ${r.rule} v${s.version}`;

/** The day the person reaches an age; uses the cached civil date of birth (hot path). */
function ageAt(ctx: PersonContext, a: Span): number {
  if (a.school >= 0) {
    const aby = ctx.dobM >= 9 ? ctx.dobY : ctx.dobY - 1;
    return dayFromCivil(aby + 5 + a.school, 9, 1);
  }
  if (a.months === 0) return ctx.dob + a.days;
  return monthsAfterCivil(ctx.dobY, ctx.dobM, ctx.dobD, a.months) + a.days;
}

function successor(rows: CompiledDose[], row: CompiledDose): CompiledDose | null {
  let best: CompiledDose | null = null;
  for (const r of rows) if (r.effFrom > row.effTo && (best === null || r.effFrom < best.effFrom)) best = r;
  return best;
}

/** Fills the next-dose dates of st for one candidate row, each field as it is decided. */
function computeDates(ctx: PersonContext, st: SeriesState, row: CompiledDose, counted: number, lastDay: number): void {
  st.earliestByAge = ageAt(ctx, row.earliest);
  st.intervalDay = lastDay !== NEG && row.minInterval !== null ? addSpan(lastDay, row.minInterval) : NEG;
  st.intervalPrior = NEG;
  if (row.afterInterval !== null) {
    let prior = NEG;
    for (let e = 0; e < ctx.n; e++) {
      const d = ctx.day[e] as number;
      if (d > ctx.asOf) break;
      if (ctx.given[e] && ((ctx.mask[e] as number) & row.afterMask) === row.afterMask) prior = d;
    }
    if (prior !== NEG) {
      const t = addSpan(prior, row.afterInterval);
      if (t > st.intervalDay) {
        st.intervalDay = t;
        st.intervalPrior = prior;
      }
    }
  }
  // effectiveFrom holds a dose back only when it starts something new; a row that merely re-times
  // an existing dose (e.g. PCV moving to 16 weeks) leaves earlier valid dates valid.
  st.effFrom = row.effFrom !== NEG && !hasPredecessor(st, row) ? row.effFrom : NEG;
  st.dueFrom = Math.max(st.earliestByAge, st.intervalDay, st.effFrom);
  st.dueByAge = ageAt(ctx, row.due);
  st.dueDay = Math.max(st.dueByAge, st.dueFrom);
  const gap = row.dueInterval ?? row.minInterval;
  if (lastDay !== NEG && gap !== null) st.dueDay = Math.max(st.dueDay, addSpan(lastDay, gap));
  // Later than the age-based date because earlier doses came late: the course carries on from there.
  st.behind = counted > 0 && st.dueDay > st.dueByAge;
  if (row.overdueKind === 'afterDue') st.overdueDay = addSpan(st.dueDay, row.overdue);
  else if (row.overdueKind === 'age') st.overdueDay = Math.max(ageAt(ctx, row.overdue), st.dueDay);
  else st.overdueDay = lastDay !== NEG ? Math.max(addSpan(lastDay, row.overdue), st.dueDay) : addSpan(st.dueDay, row.overdue);
  // effectiveTo closes the window only when no later row takes over.
  st.latestDay = row.effTo !== POS && hasSuccessor(st, row) ? POS : row.effTo;
  if (row.before !== null) st.latestDay = Math.min(st.latestDay, ageAt(ctx, row.before) - 1);
}

function hasPredecessor(st: SeriesState, row: CompiledDose): boolean {
  const seg = st.segment;
  if (seg === null) return false;
  for (const r of seg.entries[row.dose - 1] as CompiledDose[]) if (r.effTo < row.effFrom) return true;
  return false;
}

function hasSuccessor(st: SeriesState, row: CompiledDose): boolean {
  const seg = st.segment;
  if (seg === null) return false;
  return successor(seg.entries[row.dose - 1] as CompiledDose[], row) !== null;
}

/** Plain-English reason for the interval constraint on the next dose. */
export function intervalText(st: SeriesState): string {
  const row = st.row;
  if (row === null || st.intervalDay === NEG) return '';
  if (st.intervalPrior !== NEG && row.afterInterval !== null) {
    return `at least ${row.afterInterval.text} after the last ${row.afterDescription} on ${formatLongDay(st.intervalPrior)}`;
  }
  return `at least ${row.minInterval?.text ?? ''} after dose ${st.counted} on ${formatLongDay(st.lastDay)}`;
}

export function evaluateSeries(ctx: PersonContext, s: CompiledSeries, explain: boolean): SeriesState {
  const out: SeriesForecast = {
    seriesId: s.id,
    seriesName: s.name,
    kind: s.kind,
    vaccineGroup: s.vaccineGroup,
    scheduleId: s.scheduleId,
    scheduleVersion: s.version,
    status: 'NOT_ELIGIBLE',
    ...NO_NEXT_DOSE,
    dosesCounted: [],
    dosesIgnored: [],
    explanation: [],
  };
  const { dosesCounted, dosesIgnored, explanation: ex } = out;
  const st: SeriesState = {
    series: s,
    out,
    row: null,
    counted: 0,
    lastDay: NEG,
    earliestByAge: NEG,
    intervalDay: NEG,
    intervalPrior: NEG,
    effFrom: NEG,
    dueFrom: NEG,
    dueDay: NEG,
    overdueDay: NEG,
    latestDay: POS,
    considerFromDay: NEG,
    dueByAge: NEG,
    behind: false,
    segment: null,
    origin: ctx.dob,
  };
  if (s.gestation !== null && ctx.death > ctx.asOf) {
    const timed = pregnancyContext(ctx, s, out, explain);
    if (timed === null) return st;
    ctx = timed;
    st.origin = ctx.dob;
  }
  const { dob, asOf } = ctx;
  if (ctx.death <= asOf) {
    if (explain) ex.push(`Died on ${formatLongDay(ctx.death)}, so no further doses are offered`);
    return st;
  }
  const seg = segmentFor(s, dob);
  st.segment = seg;
  if (seg === null || seg.entries.length === 0) {
    if (explain)
      ex.push(seg ? seg.description : `Born on ${formatLongDay(dob)}: outside the date-of-birth cohorts of ${s.name} (v${s.version})`);
    return st;
  }
  if (s.requiresMask !== 0 && (ctx.flagsAsOf & s.requiresMask) === 0) {
    if (explain) ex.push(`${s.name} is only for people with ${s.requiresText} recorded on ${formatLongDay(asOf)} (v${s.version})`);
    return st;
  }
  if ((ctx.flagsAsOf & s.excludedMask) !== 0) {
    if (explain)
      ex.push(`${s.excludedText} recorded on ${formatLongDay(asOf)}, so a different series applies instead of ${s.name} (v${s.version})`);
    return st;
  }
  if (explain) ex.push(seg.description);
  const entries = seg.entries;
  const nDoses = entries.length;
  const considerFrom = s.considerFrom ? ageAt(ctx, s.considerFrom) : NEG;
  st.considerFromDay = considerFrom;
  const stride = ctx.seriesCount;

  let counted = 0;
  let next = 1;
  let lastDay = NEG;
  let extra = 0;
  for (let e = 0; e < ctx.n; e++) {
    const d = ctx.day[e] as number;
    if (d > asOf) break;
    const m = ctx.mask[e] as number;
    if (!matches(s, m) || d < considerFrom) continue;
    if (!ctx.given[e]) continue;
    let usedBy = -1;
    for (const other of s.exclusiveWith) if (ctx.counted[e * stride + other]) usedBy = other;
    if (usedBy >= 0) {
      dosesIgnored.push({
        eventId: ctx.ids[e] ?? null,
        date: ctx.dates[e] as string,
        reason: `given on ${formatLongDay(d)} and already counted for another series (dose ${(ctx.counted[e * stride + usedBy] as number) - 1}), so it does not also count as ${s.name}`,
      });
      continue;
    }
    // Skip doses that are no longer needed once the child is past their age.
    while (next <= nDoses) {
      const r = rowOn(entries[next - 1] as CompiledDose[], d);
      if (r.notNeededAfter === null || d < ageAt(ctx, r.notNeededAfter) || next === nDoses) break;
      if (explain) ex.push(`Dose ${next} was not given before ${r.notNeededAfter.text}, so it is no longer needed (${rule(r, s)})`);
      next++;
    }
    if (next > nDoses) {
      extra++;
      if (explain) ex.push(`A further dose on ${formatLongDay(d)} was not needed: the course was already complete`);
      continue;
    }
    const r = rowOn(entries[next - 1] as CompiledDose[], d);
    const earliest = ageAt(ctx, r.earliest);
    if (d < earliest) {
      dosesIgnored.push({
        eventId: ctx.ids[e] ?? null,
        date: ctx.dates[e] as string,
        reason: `given at ${ageText(s, dob, d)}, before ${s.gestation ? '' : 'the earliest age of '}${r.earliest.text}${weeksOf(s)} for ${s.name} dose ${next}, so it does not count (${rule(r, s)})`,
      });
      continue;
    }
    if (lastDay !== NEG && r.minInterval !== null && d < addSpan(lastDay, r.minInterval)) {
      dosesIgnored.push({
        eventId: ctx.ids[e] ?? null,
        date: ctx.dates[e] as string,
        reason: `given ${d - lastDay} days after dose ${counted} on ${formatLongDay(lastDay)}; ${s.name} dose ${next} must be at least ${r.minInterval.text} after the previous dose, so it does not count (${rule(r, s)})`,
      });
      continue;
    }
    if (r.afterInterval !== null) {
      let prior = NEG;
      for (let p = 0; p < e; p++) {
        if (ctx.given[p] && (ctx.day[p] as number) < d && ((ctx.mask[p] as number) & r.afterMask) === r.afterMask)
          prior = ctx.day[p] as number;
      }
      if (prior !== NEG && d < addSpan(prior, r.afterInterval)) {
        dosesIgnored.push({
          eventId: ctx.ids[e] ?? null,
          date: ctx.dates[e] as string,
          reason: `given on ${formatLongDay(d)}, less than ${r.afterInterval.text} after the last ${r.afterDescription} on ${formatLongDay(prior)}, so it does not count as ${s.name} dose ${next} (${rule(r, s)})`,
        });
        continue;
      }
    }
    counted = next;
    next++;
    lastDay = d;
    ctx.counted[e * stride + s.index] = counted + 1;
    dosesCounted.push({ eventId: ctx.ids[e] ?? null, date: ctx.dates[e] as string, doseNumber: counted });
    if (explain) {
      let line = `Dose ${counted} given on ${formatLongDay(d)} (at ${ageText(s, dob, d)})`;
      if (r.before !== null && d >= ageAt(ctx, r.before))
        line += `; this was after the upper age limit (before ${r.before.text}) but it was given, so it counts`;
      ex.push(line);
    }
  }
  st.counted = counted;
  st.lastDay = lastDay;
  void extra;

  // Not-given records after the last counted dose decide DECLINED / CONTRAINDICATED.
  let refusal: NotGivenReason | null = null;
  let refusalDay = NEG;
  for (let e = 0; e < ctx.n; e++) {
    const d = ctx.day[e] as number;
    if (d > asOf) break;
    if (ctx.given[e] || d <= lastDay || d < considerFrom || !matches(s, ctx.mask[e] as number)) continue;
    const reason = ctx.reason[e] ?? null;
    if (explain) {
      const why = reason === null ? 'no reason recorded' : NOT_GIVEN_REASON_LABELS[reason].toLowerCase();
      ex.push(
        `Not given on ${formatLongDay(d)}: ${why}${reason === 'ALREADY_GIVEN' ? '; it counts only once the dose itself is recorded' : ''}`,
      );
    }
    if (reason === 'DECLINED' || reason === 'CONTRAINDICATED') {
      refusal = reason;
      refusalDay = d;
    }
  }

  // Move past doses no longer needed at the assessment date.
  let row: CompiledDose | null = null;
  while (next <= nDoses) {
    const r = rowOn(entries[next - 1] as CompiledDose[], asOf);
    if (r.notNeededAfter !== null && next < nDoses) {
      const limit = ageAt(ctx, r.notNeededAfter);
      const earliest = Math.max(ageAt(ctx, r.earliest), lastDay !== NEG && r.minInterval ? addSpan(lastDay, r.minInterval) : NEG);
      if (asOf >= limit || earliest >= limit) {
        if (explain) ex.push(`Dose ${next} was not given before ${r.notNeededAfter.text}, so it is no longer needed (${rule(r, s)})`);
        next++;
        continue;
      }
    }
    row = r;
    break;
  }

  if (row === null) {
    out.status = 'COMPLETE';
    if (explain) ex.push(`Complete: ${counted} dose${counted === 1 ? '' : 's'} counted`);
    return st;
  }
  if (s.trackUntil !== null && asOf >= ageAt(ctx, s.trackUntil)) {
    if (explain)
      ex.push(
        `Aged ${s.trackUntil.text} or over: ${s.name} is no longer tracked by the routine programme; any catch-up is decided individually (v${s.version})`,
      );
    return st;
  }
  if (s.continuedBy !== null && asOf >= ageAt(ctx, s.continuedBy.from)) {
    if (explain)
      ex.push(
        `Aged ${s.continuedBy.from.text} or over, so ${s.name} is not given: ${s.continuedBy.description} (series ${s.continuedBy.series}; ${s.continuedBy.source})`,
      );
    return st;
  }
  if (s.openFrom !== null) {
    const open = ageAt(ctx, s.openFrom);
    if (asOf < open && ageAt(ctx, row.earliest) < open) {
      if (explain)
        ex.push(
          `Under ${s.openFrom.text}: dose ${row.dose} is part of the childhood course tracked by other series; ${s.name} takes over from ${formatLongDay(open)} (v${s.version})`,
        );
      return st;
    }
  }

  // Dates for the next dose. A row superseded before the dose would fall due gives way to its
  // successor: schedule changes apply by appointment date.
  const rows = entries[row.dose - 1] as CompiledDose[];
  computeDates(ctx, st, row, counted, lastDay);
  for (let guard = 0; guard < rows.length && (st.dueDay > row.effTo || st.latestDay < Math.max(asOf, st.dueFrom)); guard++) {
    const succ = successor(rows, row);
    if (succ === null) break;
    row = succ;
    computeDates(ctx, st, row, counted, lastDay);
  }
  st.row = row;
  const { earliestByAge, effFrom, dueFrom, dueDay, overdueDay, latestDay, behind, dueByAge } = st;

  out.nextDose = row.dose;
  out.nextProduct = row.product;
  out.dueFrom = formatDay(dueFrom);
  out.dueDate = formatDay(dueDay);
  out.overdueFrom = formatDay(overdueDay);
  out.latestDate = latestDay === POS ? null : formatDay(latestDay);

  if (explain) {
    ex.push(`Next: dose ${row.dose} (${row.product}), ${rule(row, s)}${row.notes ? ` — ${row.notes}` : ''}`);
    const from: string[] = [`earliest ${s.gestation ? '' : 'age '}${row.earliest.text}${weeksOf(s)} on ${formatLongDay(earliestByAge)}`];
    if (st.intervalDay !== NEG) from.push(intervalText(st));
    if (effFrom !== NEG && (effFrom === dueFrom || effFrom > asOf)) from.push(`offered from ${formatLongDay(effFrom)}`);
    ex.push(`Counts if given on or after ${formatLongDay(dueFrom)} (${from.join('; ')})`);
    if (behind) ex.push(`Due on ${formatLongDay(dueDay)}: the course resumes from dose ${counted}, it is never restarted`);
    else if (dueDay === dueByAge) ex.push(`Due at ${row.due.text}${weeksOf(s)} on ${formatLongDay(dueDay)}`);
    else ex.push(`Due on ${formatLongDay(dueDay)} (at ${row.due.text}${weeksOf(s)} by age, but not before it can count)`);
    ex.push(`Overdue from ${formatLongDay(overdueDay)}`);
    if (latestDay !== POS) {
      ex.push(
        row.before !== null && latestDay === ageAt(ctx, row.before) - 1
          ? `Must be given before ${row.before.text}, so by ${formatLongDay(latestDay)}`
          : `Offered until ${formatLongDay(latestDay)}`,
      );
    }
  }

  let status: SeriesStatus;
  if (latestDay !== POS && (asOf > latestDay || dueFrom > latestDay)) {
    status = 'TOO_LATE';
    if (explain) {
      ex.push(
        dueFrom > latestDay && asOf <= latestDay
          ? `Too late: dose ${row.dose} could not count before ${formatLongDay(latestDay)}, so it is not given`
          : `Too late: the last day for dose ${row.dose} was ${formatLongDay(latestDay)}; it is never given late`,
      );
    }
  } else if (refusal !== null) {
    status = refusal;
    if (explain)
      ex.push(
        `${refusal === 'DECLINED' ? 'Declined' : 'Contraindicated'} on ${formatLongDay(refusalDay)}; a later dose given will still count`,
      );
  } else if (asOf < dueDay) {
    status = 'UPCOMING';
  } else if (asOf >= overdueDay) {
    status = 'OVERDUE';
  } else {
    status = 'DUE';
  }
  if ((status === 'DUE' || status === 'OVERDUE' || status === 'UPCOMING') && s.cautions.length > 0) {
    const c = cautionFor(ctx, s.cautions);
    if (c !== null) {
      if (c.alternative === null) status = 'NEEDS_ASSESSMENT';
      else out.nextProduct = out.offer = c.alternative;
      out.caution = c.reason;
      if (explain) ex.push(cautionText(ctx, c, `${s.name} dose ${row.dose}`));
    }
  }
  out.status = status;
  return st;
}

/** How old the person, or the pregnancy, was on a day: '8 weeks 2 days' or '20 weeks of pregnancy'. */
export function ageText(s: CompiledSeries, origin: number, day: number): string {
  if (s.gestation === null) return describeExactAge(origin, day);
  return `${weeksAndDays(day - origin)} of pregnancy`;
}

/**
 * The person's context with ages counted from week 0 of the pregnancy active on the assessment
 * date (its flag's end date, the expected delivery, less the term), for a series timed by weeks
 * of pregnancy. Null when the series stops here: no pregnancy recorded (not eligible), or one
 * with no expected date of delivery, whose weeks a clinician must confirm first.
 */
function pregnancyContext(ctx: PersonContext, s: CompiledSeries, out: SeriesForecast, explain: boolean): PersonContext | null {
  const g = s.gestation as NonNullable<CompiledSeries['gestation']>;
  let current: PersonInput['flags'][number] | null = null;
  for (const f of ctx.person.flags) {
    if (f.code !== g.flag || parseDay(f.from) > ctx.asOf || (f.to !== null && parseDay(f.to) < ctx.asOf)) continue;
    if (current === null || f.from > current.from) current = f;
  }
  if (current === null) {
    if (explain)
      out.explanation.push(
        `${s.name} is only given during a pregnancy, and none is recorded on ${formatLongDay(ctx.asOf)} (v${s.version})`,
      );
    return null;
  }
  if (current.to === null) {
    out.status = 'NEEDS_ASSESSMENT';
    out.nextDose = 1;
    out.nextProduct = segmentFor(s, ctx.dob)?.entries[0]?.[0]?.product ?? null;
    out.caution =
      'the pregnancy has no expected date of delivery recorded, so its weeks cannot be worked out; confirm them before giving it';
    if (explain) {
      const from = parseDay(current.from);
      out.explanation.push(
        `Pregnancy recorded from ${formatLongDay(from)} without an expected date of delivery: the weeks of pregnancy decide when ${s.name} is given (v${s.version})`,
      );
      // A dose already given in this pregnancy may count once its week is known: say so.
      for (let e = 0; e < ctx.n; e++) {
        const day = ctx.day[e] as number;
        if (ctx.given[e] && day >= from && day <= ctx.asOf && matches(s, ctx.mask[e] as number))
          out.explanation.push(`Given on ${formatLongDay(day)} in this pregnancy; whether it counts depends on the week it was given`);
      }
    }
    return null;
  }
  const start = parseDay(current.to) - g.termDays;
  const [y, m, d] = civilFromDay(start, [0, 0, 0]);
  // Counted doses are per person and event, so the shared scratch array stays shared.
  return { ...ctx, dob: start, dobY: y, dobM: m, dobD: d };
}

/** The first caution that applies to the person on the assessment date, or null. */
function cautionFor(ctx: PersonContext, cautions: CompiledCaution[]): CompiledCaution | null {
  for (const c of cautions) {
    if (ctx.asOf < c.effFrom || (ctx.flagsAsOf & c.flagsMask) === 0) continue;
    if (c.min !== null && ctx.asOf < ageAt(ctx, c.min)) continue;
    if (c.below !== null && ctx.asOf >= ageAt(ctx, c.below)) continue;
    return c;
  }
  return null;
}

function cautionText(ctx: PersonContext, c: CompiledCaution, what: string): string {
  const codes: string[] = [];
  const hit = ctx.flagsAsOf & c.flagsMask;
  for (const [code, i] of FLAG_INDEX) if (hit & (1 << i)) codes.push(code);
  const recorded = `recorded: ${codes.join(', ')}`;
  return c.alternative === null
    ? `Needs clinical assessment before ${what}: ${c.reason} (${recorded}; rule ${c.rule}; ${c.source})`
    : `Offer ${c.alternative} for ${what}: ${c.reason} (${recorded}; rule ${c.rule}; ${c.source})`;
}

function criterionMatches(
  ctx: PersonContext,
  c: CompiledCampaign['criteria'][number],
  day: number,
  flags: number,
  frontline: boolean,
): string | null {
  if (c.min !== null || c.below !== null) {
    const ref = c.ageOnAssessment ? day : c.ageOn;
    if (c.min !== null && ref < ageAt(ctx, c.min)) return null;
    if (c.below !== null && ref >= ageAt(ctx, c.below)) return null;
  }
  let detail = '';
  if (c.flagsMask !== 0) {
    const hit = flags & c.flagsMask;
    if (hit === 0) return null;
    const codes: string[] = [];
    for (const [code, i] of FLAG_INDEX) if (hit & (1 << i)) codes.push(code);
    detail = `; recorded: ${codes.join(', ')}`;
  }
  if (c.frontline) {
    if (!frontline) return null;
    detail += '; frontline staff record active';
  }
  return detail;
}

export function evaluateCampaign(ctx: PersonContext, c: CompiledCampaign, explain: boolean): CampaignForecast {
  const { asOf } = ctx;
  const res: CampaignForecast = {
    campaignId: c.id,
    campaignVersion: c.version,
    name: c.name,
    eligible: false,
    eligibleFrom: null,
    status: 'NOT_ELIGIBLE',
    reasons: [],
    explanation: [],
    givenOn: null,
    offer: null,
    caution: null,
  };
  const { reasons, explanation: ex } = res;
  let givenDay = NEG;
  let firstGivenDay = NEG;
  let givenCount = 0;
  let givenBefore = false;
  let declinedDay = NEG;
  for (let e = 0; e < ctx.n; e++) {
    const d = ctx.day[e] as number;
    if (d > asOf) break;
    if (((ctx.mask[e] as number) & c.mask) !== c.mask) continue;
    if (d < c.countFrom) {
      if (ctx.given[e]) givenBefore = true;
      continue;
    }
    if (d > c.end) continue;
    if (ctx.given[e]) {
      givenDay = d;
      if (givenCount++ === 0) firstGivenDay = d;
    } else if (ctx.reason[e] === 'DECLINED' && d >= c.start) declinedDay = d;
  }
  if (ctx.death <= asOf) {
    if (explain) ex.push(`Died on ${formatLongDay(ctx.death)}`);
    return res;
  }
  // Eligibility on the assessment date, or the first criterion start still to come in the campaign.
  const frontlineNow = frontlineOn(ctx.person, asOf);
  let earliestFuture = POS;
  let second: CompiledCampaign['criteria'][number]['secondDose'] = null;
  for (const k of c.criteria) {
    const start = Math.max(k.start, c.start);
    const end = Math.min(k.end, c.end);
    if (asOf > end) continue;
    const day = asOf >= start ? asOf : start;
    const flags = day === asOf ? ctx.flagsAsOf : flagsOn(ctx.person, day);
    const frontline = day === asOf ? frontlineNow : frontlineOn(ctx.person, day);
    const detail = criterionMatches(ctx, k, day, flags, frontline);
    if (detail === null) continue;
    if (asOf >= start) {
      res.eligible = true;
      if (k.secondDose !== null && second === null) second = k.secondDose;
      reasons.push(`${k.label}${detail} (rule ${k.id}, ${c.name} v${c.version})`);
    } else if (start < earliestFuture) {
      earliestFuture = start;
    }
  }
  if (!res.eligible && earliestFuture !== POS) res.eligibleFrom = formatDay(earliestFuture);

  let status: CampaignStatus;
  // A child in a risk group who had never had the vaccine before the season needs two doses.
  const secondFrom =
    second !== null && givenCount === 1 && !givenBefore && firstGivenDay < ageAt(ctx, second.below)
      ? addSpan(firstGivenDay, second.interval)
      : NEG;
  if (secondFrom !== NEG && secondFrom <= c.end) {
    const rule2 = second as NonNullable<typeof second>;
    status = asOf >= secondFrom ? 'DUE' : 'UPCOMING';
    res.givenOn = formatDay(firstGivenDay);
    if (status === 'UPCOMING') res.eligibleFrom = formatDay(secondFrom);
    if (explain)
      ex.push(
        `First dose given on ${formatLongDay(firstGivenDay)} at ${describeExactAge(ctx.dob, firstGivenDay)}, with no earlier dose recorded: a second dose is needed at least ${rule2.interval.text} later, from ${formatLongDay(secondFrom)}, because the child was under ${rule2.below.text} (rule ${rule2.rule}; ${rule2.source})`,
      );
  } else if (givenDay !== NEG) {
    status = 'GIVEN';
    res.givenOn = formatDay(givenDay);
    if (explain)
      ex.push(
        givenCount > 1
          ? `Given on ${formatLongDay(firstGivenDay)} and ${formatLongDay(givenDay)}, which completes ${c.name}`
          : `Given on ${formatLongDay(givenDay)}, which counts for ${c.name}`,
      );
  } else if (asOf > c.end) {
    status = 'NOT_ELIGIBLE';
    if (explain) ex.push(`${c.name} ended on ${formatLongDay(c.end)}`);
  } else if (res.eligible && declinedDay !== NEG) {
    status = 'DECLINED';
    if (explain) ex.push(`Declined on ${formatLongDay(declinedDay)}`);
  } else if (res.eligible) {
    status = 'DUE';
    if (explain)
      ex.push(`Eligible on ${formatLongDay(asOf)}: ${reasons.length === 1 ? 'one criterion matches' : `${reasons.length} criteria match`}`);
  } else if (res.eligibleFrom !== null) {
    status = 'UPCOMING';
    if (explain) ex.push(`Not yet: eligible from ${formatLongDay(earliestFuture)} when that part of ${c.name} starts`);
  } else {
    status = 'NOT_ELIGIBLE';
    if (explain) ex.push(`No criterion of ${c.name} v${c.version} matches on ${formatLongDay(asOf)}`);
  }
  if (res.eligible && status !== 'GIVEN' && c.cautions.length > 0) {
    const k = cautionFor(ctx, c.cautions);
    if (k !== null) {
      res.offer = k.alternative;
      res.caution = k.reason;
      if (explain) ex.push(cautionText(ctx, k, c.name));
    }
  }
  res.status = status;
  return res;
}

/** Series of the schedule versions in force on the assessment date. */
export function seriesInForce(rules: CompiledRules, asOf: number): CompiledSeries[] {
  const out: CompiledSeries[] = [];
  for (const list of rules.schedules) for (const s of versionOn(list, asOf).series) out.push(s);
  return out;
}

export function forecast(
  rules: CompiledRules,
  person: PersonInput,
  events: EventInput[],
  asOf: string,
  options: ForecastOptions = {},
): Forecast {
  const explain = options.explain !== false;
  const ctx = buildContext(rules, person, events, asOf);
  const series: SeriesForecast[] = [];
  for (const list of rules.schedules) {
    for (const s of versionOn(list, ctx.asOf).series) series.push(evaluateSeries(ctx, s, explain).out);
  }
  const campaigns: CampaignForecast[] = [];
  for (const c of rules.campaigns) campaigns.push(evaluateCampaign(ctx, c, explain));
  return { asOf, dateOfBirth: person.dateOfBirth, series, campaigns };
}

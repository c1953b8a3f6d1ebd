// Catch-up planning for a person with an uncertain or incomplete history (UKHSA algorithm): the
// doses to give at this visit and the next ones. The courses themselves (how many doses at which
// age, intervals, upper ages) are the schedule's series; the plan forecasts a visit, "gives"
// every dose due at it, and moves on to the next visit at least the rule's interval later.
import { addSpan, antigenMask, maskAntigens, type CompiledCatchUp, type CompiledRules, type CompiledSeries } from './compile';
import { forecast } from './forecast';
import { formatDay, formatLongDay, requireDay } from '../shared/calendar/dates';
import type { EventInput, PersonInput, SeriesForecast } from './types';

interface CatchUpDose {
  seriesId: string;
  seriesName: string;
  vaccineGroup: string;
  dose: number;
  product: string;
  /** Why this dose, and why at this visit. */
  why: string[];
}

interface CatchUpVisit {
  date: string;
  doses: CatchUpDose[];
  /** Series whose dose is covered by a product already planned at this visit. */
  coveredBy: { seriesId: string; seriesName: string; by: string }[];
}

export interface CatchUpPlan {
  asOf: string;
  rules: string;
  visits: CatchUpVisit[];
  /** Series a clinician must assess first (a live vaccine for an immunosuppressed person). */
  needsAssessment: { seriesId: string; seriesName: string; reason: string }[];
  /** Courses left out of the plan and why: past an upper age limit (rotavirus), declined, contraindicated. */
  notPlanned: { seriesId: string; seriesName: string; status: string; reason: string }[];
  /** Doses of a vaccine lacking one of a course's antigens that the plan counts for that course (a 5-in-1 for the 6-in-1). */
  credited: { date: string; product: string; seriesId: string; seriesName: string; rule: string; note: string }[];
  /** Doses from the history that do not count (given too early, too soon after the previous dose). */
  notCounted: { seriesId: string; seriesName: string; date: string; reason: string }[];
  /** What follows the plan on the routine schedule (due within the horizon after the last visit). */
  then: { seriesId: string; seriesName: string; dose: number; dueDate: string }[];
  explanation: string[];
}

const OPEN = new Set(['DUE', 'OVERDUE']);
const LEFT_OUT = new Set(['TOO_LATE', 'DECLINED', 'CONTRAINDICATED']);

function catchUpRulesOn(rules: CompiledRules, day: number): CompiledCatchUp {
  let chosen: CompiledCatchUp | null = null;
  for (const c of rules.catchUp) if (c.effFrom <= day || chosen === null) chosen = c;
  if (chosen === null) throw new Error('no catch-up rules are loaded');
  return chosen;
}

// Courses before safety-net requirements, so a 6-in-1 planned for a course covers the Hib rule.
const byKind = (a: SeriesForecast, b: SeriesForecast) => (a.kind === b.kind ? 0 : a.kind === 'course' ? -1 : 1);

function whyLines(s: SeriesForecast): string[] {
  return s.explanation.filter((l) => /^(Next:|Counts if|Due |Overdue|Dose \d+ was not given|Offer |Must be given before)/.test(l));
}

/** Why a series is left out of the plan: the engine's own words for the status. */
function leftOutReason(s: SeriesForecast): string {
  const line = [...s.explanation].reverse().find((l) => /^(Too late|Declined|Contraindicated|Not given)/.test(l));
  return line ?? s.explanation[s.explanation.length - 1] ?? s.status;
}

/**
 * The history as the plan counts it: a dose of a vaccine lacking one of a course's antigens (a
 * DTaP/IPV/Hib dose from abroad, without hepatitis B) takes its place in that course, so the
 * course resumes rather than restarts. Only the plan sees the widened doses.
 */
function creditedHistory(
  cfg: CompiledCatchUp,
  seriesMasks: Map<string, { mask: number; name: string }>,
  events: EventInput[],
  ruleText: string,
): { history: EventInput[]; notes: string[]; credited: CatchUpPlan['credited'] } {
  const notes: string[] = [];
  const credited: CatchUpPlan['credited'] = [];
  const history = events.map((e) => {
    if (e.outcome !== 'GIVEN') return e;
    const mask = antigenMask(e.antigens);
    for (const t of cfg.countsTowards) {
      const target = seriesMasks.get(t.series);
      if (!target || (mask & t.mask) !== t.mask || (mask & target.mask) === target.mask) continue;
      const product = e.productName ?? maskAntigens(mask).join('/');
      credited.push({ date: e.date, product, seriesId: t.series, seriesName: target.name, rule: t.rule, note: t.note });
      notes.push(
        `The ${product} dose on ${formatLongDay(requireDay(e.date, 'date'))} counts as a dose of ${target.name} (${t.rule}, ${ruleText}): ${t.note}`,
      );
      return { ...e, antigens: maskAntigens(mask | target.mask) };
    }
    return e;
  });
  return { history, notes, credited };
}

/** The plan for a person on a date: every visit explained, at least the rule's interval apart. */
export function catchUpPlan(rules: CompiledRules, person: PersonInput, events: EventInput[], asOf: string): CatchUpPlan {
  const start = requireDay(asOf, 'asOf');
  const cfg = catchUpRulesOn(rules, start);
  const horizonEnd = addSpan(start, cfg.horizon);
  const ruleText = `${cfg.id} v${cfg.version}`;
  const plan: CatchUpPlan = {
    asOf,
    rules: ruleText,
    visits: [],
    needsAssessment: [],
    notPlanned: [],
    credited: [],
    notCounted: [],
    then: [],
    explanation: [
      `${cfg.name} (${ruleText}; ${cfg.source}): courses are resumed, never restarted; visits at least ${cfg.minVisitInterval.text} apart; planned up to ${formatLongDay(horizonEnd)}`,
    ],
  };
  const seriesByKey = new Map<string, CompiledSeries>();
  const seriesMasks = new Map<string, { mask: number; name: string }>();
  for (const list of rules.schedules)
    for (const v of list)
      for (const x of v.series) {
        seriesByKey.set(`${x.id}@${x.version}`, x);
        seriesMasks.set(x.id, { mask: x.mask, name: x.name });
      }
  const credited = creditedHistory(cfg, seriesMasks, events, ruleText);
  plan.explanation.push(...credited.notes);
  plan.credited = credited.credited;
  const history = credited.history;
  const assessed = new Set<string>();
  let day = start;
  let last: SeriesForecast[] = [];
  for (let n = 0; n < cfg.maxVisits && day <= horizonEnd; n++) {
    const f = forecast(rules, person, history, formatDay(day)).series;
    if (n === 0)
      for (const s of f) {
        if (LEFT_OUT.has(s.status))
          plan.notPlanned.push({ seriesId: s.seriesId, seriesName: s.seriesName, status: s.status, reason: leftOutReason(s) });
        for (const d of s.dosesIgnored)
          if (typeof d.eventId !== 'string' || !d.eventId.startsWith('plan-'))
            plan.notCounted.push({ seriesId: s.seriesId, seriesName: s.seriesName, date: d.date, reason: d.reason });
      }
    for (const s of f) {
      if (s.status === 'NEEDS_ASSESSMENT' && !assessed.has(s.seriesId)) {
        assessed.add(s.seriesId);
        const reason = s.explanation.find((l) => l.startsWith('Needs clinical assessment')) ?? 'needs clinical assessment';
        plan.needsAssessment.push({ seriesId: s.seriesId, seriesName: s.seriesName, reason });
      }
    }
    const due = f.filter((s) => OPEN.has(s.status) && s.nextDose !== null).sort(byKind);
    if (due.length > 0) {
      const visit: CatchUpVisit = { date: formatDay(day), doses: [], coveredBy: [] };
      // One product per vaccine group (MMR and varicella at one visit are one MMRV dose).
      const groupMask = new Map<string, number>();
      let planned = 0;
      for (const s of due) {
        const mask = seriesByKey.get(`${s.seriesId}@${s.scheduleVersion}`)?.mask ?? 0;
        if (mask !== 0 && (planned & mask) === mask) {
          const by = visit.doses.find((d) => ((groupMask.get(d.vaccineGroup) ?? 0) & mask) === mask);
          visit.coveredBy.push({ seriesId: s.seriesId, seriesName: s.seriesName, by: by ? by.seriesId : 'another dose at this visit' });
          continue;
        }
        const sameGroup = visit.doses.find((d) => d.vaccineGroup === s.vaccineGroup);
        const why = [...whyLines(s)];
        if (n === 0)
          for (const d of s.dosesIgnored)
            why.unshift(`The dose on ${formatLongDay(requireDay(d.date, 'date'))} does not count: ${d.reason}`);
        if (n > 0)
          why.push(`Visit ${plan.visits.length + 1}: at least ${cfg.minVisitInterval.text} after the previous visit (${ruleText})`);
        if (sameGroup) {
          sameGroup.why.push(`Also ${s.seriesName} dose ${s.nextDose} in the same ${s.nextProduct ?? 'vaccine'}`);
        } else {
          visit.doses.push({
            seriesId: s.seriesId,
            seriesName: s.seriesName,
            vaccineGroup: s.vaccineGroup,
            dose: s.nextDose as number,
            product: s.nextProduct ?? s.seriesName,
            why,
          });
        }
        planned |= mask;
        groupMask.set(s.vaccineGroup, (groupMask.get(s.vaccineGroup) ?? 0) | mask);
      }
      for (const [group, mask] of groupMask)
        history.push({ id: `plan-${n}-${group}`, date: formatDay(day), antigens: maskAntigens(mask), outcome: 'GIVEN' });
      plan.visits.push(visit);
    }
    // The next visit: the interval after this one, or the first date something falls due.
    const after = plan.visits.length > 0 && due.length > 0 ? addSpan(day, cfg.minVisitInterval) : day + 1;
    const next = forecast(rules, person, history, formatDay(after)).series;
    last = next;
    let nextDay = Infinity;
    for (const s of next) {
      if (OPEN.has(s.status)) nextDay = Math.min(nextDay, after);
      else if (s.status === 'UPCOMING' && s.dueDate !== null) nextDay = Math.min(nextDay, requireDay(s.dueDate, 'dueDate'));
    }
    if (nextDay === Infinity || nextDay > horizonEnd) break;
    day = nextDay;
  }
  for (const s of last) {
    if (s.status !== 'UPCOMING' || s.dueDate === null || s.nextDose === null) continue;
    if (requireDay(s.dueDate, 'dueDate') > addSpan(day, cfg.horizon)) continue;
    plan.then.push({ seriesId: s.seriesId, seriesName: s.seriesName, dose: s.nextDose, dueDate: s.dueDate });
  }
  plan.then.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
  if (plan.visits.length === 0) plan.explanation.push(`Nothing is due or overdue by ${formatLongDay(horizonEnd)}`);
  return plan;
}

// Pure mapping for movers: the engine's catch-up plan in the contract's shape, the arrival with
// its country named, and the schedule status rows of a transfer summary.
import type { Arrival, CatchUpPlanView } from '../contract/movers';
import type { ForecastRow } from '../contract/forecast';
import type { CatchUpPlan } from '../schedule';
import { formatLongDate } from '../shared/calendar/dates';
import { countryName } from '../shared/vocabulary/countries';
import type { SeriesStatus } from '../shared/vocabulary/schedule';
import type { ArrivalRow } from './movers.repository';

export function toArrival(row: ArrivalRow | null): Arrival | null {
  if (!row) return null;
  return { ...row, fromCountryName: row.fromCountry === null ? null : countryName(row.fromCountry) };
}

/** The plan as the screen and the printed plan show it: a covered course is named on the dose that covers it. */
export function toPlanView(personId: number, plan: CatchUpPlan, arrival: Arrival | null): CatchUpPlanView {
  return {
    personId,
    asOf: plan.asOf,
    rules: plan.rules,
    arrival,
    visits: plan.visits.map((v) => ({
      date: v.date,
      doses: v.doses.map((d) => ({
        seriesId: d.seriesId,
        name: d.seriesName,
        dose: d.dose,
        product: d.product,
        alsoCountsFor: v.coveredBy.filter((c) => c.by === d.seriesId).map((c) => c.seriesName),
        why: d.why,
      })),
    })),
    notPlanned: plan.notPlanned.map((n) => ({
      seriesId: n.seriesId,
      name: n.seriesName,
      status: n.status as SeriesStatus,
      reason: n.reason,
    })),
    credited: plan.credited.map((c) => ({ date: c.date, product: c.product, seriesId: c.seriesId, name: c.seriesName, note: c.note })),
    notCounted: plan.notCounted.map((n) => ({ seriesId: n.seriesId, name: n.seriesName, date: n.date, reason: n.reason })),
    needsAssessment: plan.needsAssessment.map((n) => ({ seriesId: n.seriesId, name: n.seriesName, reason: n.reason })),
    then: plan.then.map((n) => ({ seriesId: n.seriesId, name: n.seriesName, dose: n.dose, dueDate: n.dueDate })),
    explanation: plan.explanation,
  };
}

const NOT_SHOWN: readonly SeriesStatus[] = ['NOT_ELIGIBLE'];

/**
 * Where each course stands, for the transfer summary: the forecast's rows without the ones that
 * do not apply to the person and without the far-off programmes (adult vaccines for a child).
 */
export function statusRows(rows: readonly ForecastRow[]): {
  vaccination: string;
  alsoCountsFor: string[];
  status: SeriesStatus;
  dosesCounted: number;
  next: string | null;
}[] {
  return rows
    .filter((r) => !NOT_SHOWN.includes(r.status) && !(r.later && r.parts.every((p) => p.dosesCounted.length === 0)))
    .map((r) => {
      const due = r.dueDate ?? r.dueFrom;
      const next =
        r.nextDose === null
          ? null
          : `Dose ${r.nextDose}${r.nextProduct ? ` (${r.nextProduct})` : ''}${due ? `, due ${formatLongDate(due)}` : ''}`;
      return {
        vaccination: r.name,
        alsoCountsFor: r.alsoCountsFor,
        status: r.status,
        dosesCounted: r.parts[0]?.dosesCounted.length ?? 0,
        next,
      };
    });
}

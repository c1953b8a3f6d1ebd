// Pure logic of the COVER screen: the quarters offered, the return split by cohort, and how a
// figure and what a child is missing read.
import type { CoverArea, CoverFigure, CoverMeasure, CoverReturn } from '../../../../main-api/contract/reporting';
import { describeQuarter, endedQuarters, quarterOf } from '../../../../main-api/shared/calendar/quarters';
import { SUPPRESSED_MARKER } from '../../../../main-api/shared/vocabulary/reporting';

/** The quarters a return can be produced for: the current one (still filling) and the eight before it. */
export function coverQuarterOptions(today: string): { label: string; value: string }[] {
  const current = quarterOf(today);
  return [current, ...endedQuarters(today, 8)].map((q) => ({
    label: q === current ? `${describeQuarter(q)}, so far` : describeQuarter(q),
    value: q,
  }));
}

const COHORT_NAMES: Record<number, string> = { 12: '12 months', 24: '24 months', 60: '5 years' };

export interface CoverCohort {
  ageMonths: number;
  title: string;
  measures: CoverMeasure[];
}

/** The return's measures by cohort (12 months, 24 months, 5 years), in the definitions' order. */
export function coverCohorts(ret: Pick<CoverReturn, 'measures'>): CoverCohort[] {
  const ages = [...new Set(ret.measures.map((m) => m.byAgeMonths))];
  return ages.map((age) => ({
    ageMonths: age,
    title: `Immunised by ${COHORT_NAMES[age] ?? `${age} months`}`,
    measures: ret.measures.filter((m) => m.byAgeMonths === age),
  }));
}

/** A measure's figure for an area (0 of 0 when none applies). */
export function figureFor(area: CoverArea, measureId: string): CoverFigure {
  return area.figures.find((f) => f.measureId === measureId) ?? { measureId, denominator: 0, numerator: 0, percent: null };
}

/** "92.5%", a suppressed figure's marker, or a dash for a measure that applies to nobody. */
export function percentText(f: CoverFigure): string {
  if (f.denominator === 0) return '–';
  return f.percent === null ? SUPPRESSED_MARKER : `${f.percent.toFixed(1)}%`;
}

/** "37 of 40" under the percentage. */
export function countsText(f: CoverFigure): string {
  const n = (v: number | null) => (v === null ? SUPPRESSED_MARKER : v.toLocaleString('en-GB'));
  return f.denominator === 0 ? '' : `${n(f.numerator)} of ${n(f.denominator)}`;
}

/** Below the target: shaded, and said in words. */
export function belowTarget(f: CoverFigure, target: number): boolean {
  return f.percent !== null && f.denominator !== 0 && f.percent < target;
}

/** What a child is missing, as a line: "MMR (or MMRV), 2 doses: had 1 of 2". */
export function missingText(m: { label: string; had: number; needed: number }): string {
  return `${m.label}: had ${m.had} of ${m.needed}`;
}

/** Bar widths for the chart: a percentage of the scale, which runs from 0 to 100. */
export function barWidth(f: CoverFigure): number {
  return f.percent === null || f.denominator === 0 ? 0 : Math.max(0, Math.min(100, f.percent));
}

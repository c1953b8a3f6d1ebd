// How a forecast is shown, on the record screen and on the printed record alike: one row per
// vaccination the person would actually receive, most urgent first, with rule codes kept for a
// details view. Pure: it reads the engine's series as the contract carries them.
import type { ForecastRow, SeriesView } from '../contract/forecast';
import { addMonthsDays, formatDay, requireDay } from '../shared/calendar/dates';
import { FLAG_LABELS, type FlagCode } from '../shared/vocabulary/flags';
import { OPEN_SERIES_STATUSES as OPEN, type SeriesStatus } from '../shared/vocabulary/schedule';

/** A year on, as the calendar module counts months (a 29 February clamps to the 28th). */
const yearAfter = (iso: string): string => formatDay(addMonthsDays(requireDay(iso), 12, 0));

// Order of the sections the screen shows, and of rows in "Due next" on paper.
const STATUS_RANK: Record<SeriesStatus, number> = {
  OVERDUE: 0,
  DUE: 1,
  NEEDS_ASSESSMENT: 1,
  UPCOMING: 2,
  DECLINED: 3,
  CONTRAINDICATED: 3,
  TOO_LATE: 3,
  COMPLETE: 4,
  NOT_ELIGIBLE: 5,
};

/** A flag's words for its code; an unknown code stays as it is. */
const flagWords = (code: string): string => (code in FLAG_LABELS ? FLAG_LABELS[code as FlagCode] : code);

/**
 * The explanation without rule codes: '(rule MMRV-2026 v2025-26)', '(rules A, B v2025-26)',
 * '(v2025-26)', ', rule HIB-1Y v2025-26' and a caution's '; rule MMR-IMMUNOSUPPRESSED'; flags
 * recorded ('recorded: IMMUNOSUPPRESSION') read in their words. The codes stay in the details view.
 */
export function withoutRuleCodes(line: string): string {
  return line
    .replace(/\s*\((?:rules? [^()]*? )?v[^\s()]+\)/g, '')
    .replace(/, rules? [A-Z0-9][A-Z0-9_-]* v[^\s()]+/g, '')
    .replace(/; rule [A-Z0-9][A-Z0-9_-]*(?=[;)])/g, '')
    .replace(/recorded: ([A-Z_]+(?:, [A-Z_]+)*)/g, (_, codes: string) => `recorded: ${codes.split(', ').map(flagWords).join(', ')}`)
    .trim();
}

/**
 * A caution as one sentence in plain words, the same on the screen and on paper: a clinician
 * assesses first (NEEDS_ASSESSMENT), or an alternative is offered instead of a live product.
 */
export function cautionNote(c: { status: SeriesStatus | null; offer: string | null; caution: string | null }): string | null {
  if (c.caution === null) return null;
  if (c.offer !== null) return `Offer ${c.offer}: ${c.caution}.`;
  return c.status === 'NEEDS_ASSESSMENT' ? `A clinician must assess this person before it is given: ${c.caution}.` : null;
}

/** A requirement names its acceptable products as 'Hib/MenC or 6-in-1'. */
const products = (s: SeriesView): string[] => (s.nextProduct ?? '').split(/\s+or\s+/i).map((p) => p.trim().toLowerCase());

/**
 * The same vaccination: series the rules put in one vaccine group, due on the same day; or a
 * safety-net requirement (a Hib-containing dose after the first birthday) that a course's next
 * dose also satisfies, whenever that falls.
 */
function sameVaccination(course: SeriesView, other: SeriesView): boolean {
  if (other.kind === 'requirement') return course.nextProduct !== null && products(other).includes(course.nextProduct.toLowerCase());
  return course.vaccineGroup === other.vaccineGroup && course.dueDate === other.dueDate;
}

const sortKey = (s: SeriesView): string => s.overdueFrom ?? s.dueDate ?? s.dueFrom ?? '9999-12-31';

function byUrgency(a: SeriesView, b: SeriesView): number {
  const ka = a.status === 'OVERDUE' ? sortKey(a) : (a.dueDate ?? a.dueFrom ?? '9999-12-31');
  const kb = b.status === 'OVERDUE' ? sortKey(b) : (b.dueDate ?? b.dueFrom ?? '9999-12-31');
  return STATUS_RANK[a.status] - STATUS_RANK[b.status] || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

function toRow(group: SeriesView[], asOf: string): ForecastRow {
  // The dates and status come from the most urgent part; the name from the first course,
  // since a course is what staff call the visit ('MMR(V)', not 'Varicella (MMRV cohorts)').
  const lead = [...group].sort(byUrgency)[0] ?? group[0]!;
  const named = group.find((s) => s.kind === 'course') ?? group[0]!;
  const when = lead.dueDate ?? lead.dueFrom;
  const explanation = [...new Set(group.flatMap((s) => s.explanation.map(withoutRuleCodes)))];
  // The lead part's caution, else any part's (MMR(V) and varicella carry the same one).
  const cautioned = lead.caution !== null ? lead : (group.find((s) => s.caution !== null) ?? lead);
  const waiting = lead.status === 'UPCOMING' || lead.status === 'NEEDS_ASSESSMENT';
  return {
    key: named.seriesId,
    name: named.name,
    alsoCountsFor: group.filter((s) => s !== named).map((s) => s.name),
    status: lead.status,
    nextDose: lead.nextDose,
    nextProduct: named.nextProduct,
    dueFrom: lead.dueFrom,
    dueDate: lead.dueDate,
    overdueFrom: lead.overdueFrom,
    latestDate: lead.latestDate,
    offer: cautioned.offer,
    caution: cautioned.caution,
    note: cautionNote({ status: lead.status, offer: cautioned.offer, caution: cautioned.caution }),
    later: waiting && when !== null && when > yearAfter(asOf),
    explanation,
    parts: group.map((s) => ({
      seriesId: s.seriesId,
      name: s.name,
      kind: s.kind,
      status: s.status,
      rules: s.rules,
      explanation: s.explanation,
      dosesCounted: s.dosesCounted,
      dosesIgnored: s.dosesIgnored,
    })),
  };
}

/** The forecast's series as rows to show, most urgent first; see ForecastRow. */
export function forecastRows(series: readonly SeriesView[], asOf: string): ForecastRow[] {
  const groups: SeriesView[][] = [];
  const placed = new Set<SeriesView>();
  // Courses first, so a requirement joins the course that satisfies it, not the reverse.
  const open = series.filter((s) => OPEN.includes(s.status)).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'course' ? -1 : 1));
  for (const s of open) {
    if (placed.has(s)) continue;
    const group = [s, ...open.filter((o) => o !== s && !placed.has(o) && s.kind === 'course' && sameVaccination(s, o))];
    group.forEach((g) => placed.add(g));
    groups.push(group);
  }
  for (const s of series) if (!placed.has(s)) groups.push([s]);
  // Stable within a status: the engine's order of series, which follows the schedule.
  const order = new Map(series.map((s, i) => [s, i]));
  return groups
    .map((g) => ({ row: toRow(g, asOf), first: Math.min(...g.map((s) => order.get(s) ?? 0)), lead: [...g].sort(byUrgency)[0]! }))
    .sort((a, b) => byUrgency(a.lead, b.lead) || a.first - b.first)
    .map((x) => x.row);
}

/** The rows a printed "Due next" or the screen's first view shows: open and not far off. */
export function dueNextRows(rows: readonly ForecastRow[]): ForecastRow[] {
  return rows.filter((r) => OPEN.includes(r.status) && !r.later);
}

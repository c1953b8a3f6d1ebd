// The maintained per-person status (ims.series_status): which rows a forecast yields. They are
// written by the status queue's drain (status-queue.service.ts) and the population refresh
// (refresh-all.ts).
import type { CompiledRules, Forecast } from '../schedule';
import { formatDay } from '../shared/calendar/dates';

export interface StatusRow {
  seriesId: string;
  kind: 'SERIES' | 'CAMPAIGN';
  name: string;
  status: string;
  nextDose: number | null;
  dueDate: string | null;
  overdueFrom: string | null;
  latestDate: string | null;
  rulesVersion: string;
}

const campaignEnds = new WeakMap<CompiledRules, Map<string, string>>();

function campaignEnd(rules: CompiledRules, id: string): string | null {
  let ends = campaignEnds.get(rules);
  if (!ends) {
    ends = new Map();
    for (const c of rules.campaigns) if (!ends.has(c.id)) ends.set(c.id, formatDay(c.end));
    campaignEnds.set(rules, ends);
  }
  return ends.get(id) ?? null;
}

/**
 * UPCOMING series are kept only when due within this many years: worklists look months
 * ahead, and every child would otherwise carry rows for the shingles and RSV doses of their
 * seventies. The daily refresh adds each row as its due date comes into range.
 */
export const UPCOMING_HORIZON_YEARS = 5;

/** asOf plus the horizon, as a 'YYYY-MM-DD' string that compares correctly with due dates. */
function horizonOf(asOf: string): string {
  return `${String(Number(asOf.slice(0, 4)) + UPCOMING_HORIZON_YEARS).padStart(4, '0')}${asOf.slice(4)}`;
}

/**
 * The rows to keep for one forecast: every series and campaign that applies to the person
 * (not NOT_ELIGIBLE), except upcoming series not due within the horizon. A campaign's due
 * date is when the person becomes eligible (if later than the assessment date) and its
 * latest date is the campaign's end. The first of two rows with the same id wins, so the
 * table's key holds even if two rule sets reuse an id.
 */
export function statusRows(rules: CompiledRules, f: Forecast): StatusRow[] {
  const rows: StatusRow[] = [];
  const seen = new Set<string>();
  const horizon = horizonOf(f.asOf);
  for (const s of f.series) {
    if (s.status === 'NOT_ELIGIBLE' || seen.has(s.seriesId)) continue;
    if (s.status === 'UPCOMING' && s.dueDate !== null && s.dueDate > horizon) continue;
    seen.add(s.seriesId);
    rows.push({
      seriesId: s.seriesId,
      kind: 'SERIES',
      name: s.seriesName,
      status: s.status,
      nextDose: s.nextDose,
      dueDate: s.dueDate,
      overdueFrom: s.overdueFrom,
      latestDate: s.latestDate,
      rulesVersion: `${s.scheduleId} v${s.scheduleVersion}`,
    });
  }
  for (const c of f.campaigns) {
    if (c.status === 'NOT_ELIGIBLE' || seen.has(c.campaignId)) continue;
    seen.add(c.campaignId);
    rows.push({
      seriesId: c.campaignId,
      kind: 'CAMPAIGN',
      name: c.name,
      status: c.status,
      nextDose: null,
      dueDate: c.eligibleFrom,
      overdueFrom: null,
      latestDate: campaignEnd(rules, c.campaignId),
      rulesVersion: `${c.campaignId} v${c.campaignVersion}`,
    });
  }
  return rows;
}

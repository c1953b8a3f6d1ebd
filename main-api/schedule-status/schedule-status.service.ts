// The maintained per-person status (ims.series_status): which rows a forecast yields, and the
// refresh of one person after their record changes.
import { forecast, type CompiledRules, type Forecast } from '../schedule';
import { formatDay } from '../shared/calendar/dates';
import { loadPersonForecastInput } from '../forecast';
import { query, type Queryable } from '../platform/db/database';
import { scheduleRules } from '../schedule';

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

// One statement: rows that no longer apply go, the rest are inserted or updated in place.
const WRITE_SQL = `
WITH input AS (
  SELECT * FROM json_to_recordset($2::json) AS x(
    series_id text, kind text, series_name text, status text, next_dose smallint,
    due_date date, overdue_from date, latest_date date, rules_version text)
), gone AS (
  DELETE FROM ims.series_status s
  WHERE s.person_id = $1 AND NOT EXISTS (SELECT 1 FROM input i WHERE i.series_id = s.series_id)
  RETURNING 1
)
INSERT INTO ims.series_status AS t
  (person_id, series_id, kind, series_name, status, next_dose, due_date, overdue_from, latest_date, computed_on, rules_version)
SELECT $1, series_id, kind, series_name, status, next_dose, due_date, overdue_from, latest_date, $3::date, rules_version
FROM input
ON CONFLICT (person_id, series_id) DO UPDATE SET
  kind = excluded.kind, series_name = excluded.series_name, status = excluded.status, next_dose = excluded.next_dose,
  due_date = excluded.due_date, overdue_from = excluded.overdue_from, latest_date = excluded.latest_date,
  computed_on = excluded.computed_on, rules_version = excluded.rules_version
RETURNING 1`;

/**
 * Writes one person's rows for asOf, replacing whatever they had, as whoever db is connected
 * as. No rows removes the person's status altogether.
 */
export async function writeStatusRows(db: Queryable, personId: number, rows: readonly StatusRow[], asOf: string): Promise<void> {
  const json = rows.map((r) => ({
    series_id: r.seriesId,
    kind: r.kind,
    series_name: r.name,
    status: r.status,
    next_dose: r.nextDose,
    due_date: r.dueDate,
    overdue_from: r.overdueFrom,
    latest_date: r.latestDate,
    rules_version: r.rulesVersion,
  }));
  await query(db, WRITE_SQL, [personId, JSON.stringify(json), asOf]);
}

/**
 * Recomputes one person's rows on asOf and writes them, as whoever db is connected as. Returns
 * the rows written, or null when the person is not visible to the caller. Changes made through
 * the application are followed by the status queue's drain (status-queue.service.ts), which
 * also keeps two recomputations of one person from interleaving.
 */
export async function refreshPersonStatus(
  db: Queryable,
  personId: number,
  asOf: string,
  rules: CompiledRules = scheduleRules(),
): Promise<StatusRow[] | null> {
  const input = await loadPersonForecastInput(db, personId, 'schedule status refresh');
  if (!input) return null;
  const rows = statusRows(rules, forecast(rules, input.person, input.events, asOf, { explain: false }));
  await writeStatusRows(db, personId, rows, asOf);
  return rows;
}

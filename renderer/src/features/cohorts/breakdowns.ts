// The breakdowns of a count as the screen shows them: which are asked for, each row's share of
// the largest for its bar, and the LSOA breakdown as a CSV file for GIS tools.
import type { BreakdownRow } from '../../../../main-api/contract/cohorts';
import { COHORT_BREAKDOWNS, type CohortBreakdown } from '../../../../main-api/shared/vocabulary/cohorts';

/** Shown with every count unless taken away. */
export const DEFAULT_BREAKDOWNS: readonly CohortBreakdown[] = ['localAuthority', 'ageBand', 'sex', 'imdDecile'];

/** The breakdowns chosen, in the vocabulary's order, each once. */
export function orderBreakdowns(chosen: readonly CohortBreakdown[]): CohortBreakdown[] {
  return COHORT_BREAKDOWNS.filter((b) => chosen.includes(b));
}

/** Each row's bar as a percentage of the largest row (0 when every row is 0). */
export function barPercents(rows: readonly BreakdownRow[]): number[] {
  const top = Math.max(0, ...rows.map((r) => r.count));
  return rows.map((r) => (top === 0 ? 0 : Math.round((r.count / top) * 1000) / 10));
}

/** One CSV field, quoted when it holds a comma, quote or line break; a leading = + - @ is defused for spreadsheets. */
function csvField(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as CSV with a header line code,label,count; lines end CRLF as RFC 4180 says. */
export function breakdownCsv(rows: readonly BreakdownRow[]): string {
  const lines = [
    ['code', 'label', 'count'].join(','),
    ...rows.map((r) => [csvField(r.code), csvField(r.label), csvField(r.count)].join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A file name from the cohort's name: letters, digits and dashes only. */
export function csvFileName(cohortName: string, breakdown: CohortBreakdown): string {
  const stem = cohortName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${stem || 'cohort'}-${breakdown.toLowerCase()}.csv`;
}

// Quarters of a calendar year as returns name them: `2026-Q3` is 1 July to 30 September 2026
// (Q1 January to March). UKHSA's COVER publications count quarters of the financial year
// instead: its "Q2 2026 to 2027" is this module's 2026-Q3 (docs/cover.md).
import { addMonthsDays, formatDay, formatLongDate, requireDay } from './dates';

export const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

/** The first and last day (inclusive) of a quarter written `2026-Q3`, or null. */
export function quarterDays(quarter: string): { from: string; to: string } | null {
  const m = QUARTER_PATTERN.exec(quarter);
  if (!m) return null;
  const from = `${m[1]}-${String((Number(m[2]) - 1) * 3 + 1).padStart(2, '0')}-01`;
  return { from, to: formatDay(addMonthsDays(requireDay(from), 3, -1)) };
}

/** The quarter holding a day, as `YYYY-Qn`. */
export function quarterOf(day: string): string {
  return `${day.slice(0, 4)}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
}

/** The quarter and its days in words: "2026-Q3 (1 July 2026 to 30 September 2026)". */
export function describeQuarter(quarter: string): string {
  const days = quarterDays(quarter);
  return days ? `${quarter} (${formatLongDate(days.from)} to ${formatLongDate(days.to)})` : quarter;
}

/** The `count` quarters before the one holding `today` (so each has ended), newest first. */
export function endedQuarters(today: string, count: number): string[] {
  const out: string[] = [];
  let start = requireDay(quarterDays(quarterOf(today))!.from);
  for (let i = 0; i < count; i++) {
    start = addMonthsDays(start, -3, 0);
    out.push(quarterOf(formatDay(start)));
  }
  return out;
}

// Pure logic of the coverage screen: the periods offered and how a figure is shown.
import { addMonthsDays, formatDay, formatLongDate, requireDay } from '../../../../main-api/shared/calendar/dates';
import { SUPPRESSED_MARKER } from '../../../../main-api/shared/vocabulary/reporting';

/** The first day of the quarter (January, April, July, October) holding `day`. */
export function quarterStart(day: string): string {
  const month = Number(day.slice(5, 7));
  const first = Math.floor((month - 1) / 3) * 3 + 1;
  return `${day.slice(0, 4)}-${String(first).padStart(2, '0')}-01`;
}

/** The current quarter and the `count - 1` before it, newest first, as choices. */
export function recentQuarters(today: string, count: number): { label: string; value: string }[] {
  const start = requireDay(quarterStart(today));
  return Array.from({ length: count }, (_, i) => {
    const from = addMonthsDays(start, -3 * i, 0);
    const to = addMonthsDays(from, 3, -1);
    return { label: `${formatLongDate(formatDay(from))} to ${formatLongDate(formatDay(to))}`, value: formatDay(from) };
  });
}

/** A count or percentage as the table shows it; null is a figure the database suppressed. */
export function shownFigure(value: number | null, suffix = ''): { text: string; suppressed: boolean } {
  return value === null
    ? { text: SUPPRESSED_MARKER, suppressed: true }
    : { text: `${value.toLocaleString('en-GB')}${suffix}`, suppressed: false };
}

// Display formats used across the UI. Dates stay 'YYYY-MM-DD' strings throughout: a date of
// birth turned into a local-time Date can shift by a day, so all arithmetic is on parts.
import { formatNhsNumber } from '../../../main-api/shared/identifiers/nhs-number';

export { formatNhsNumber };

interface DateParts {
  y: number;
  m: number;
  d: number;
}

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function parts(iso: string): DateParts | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Today's calendar date on this computer, as 'YYYY-MM-DD'. */
export function todayIso(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** '2019-03-01' -> '01/03/2019'. Unrecognised input is shown as it came. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const p = parts(iso);
  return p ? `${pad(p.d)}/${pad(p.m)}/${p.y}` : iso;
}

/** '2019-03-01' -> '1 March 2019'. */
export function formatLongDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const p = parts(iso);
  return p ? `${p.d} ${MONTHS[p.m - 1] ?? ''} ${p.y}` : iso;
}

function daysInMonth(y: number, m: number): number {
  // Day 0 of the next month is the last day of this one; UTC keeps it free of time zones.
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function dayNumber(p: DateParts): number {
  return Date.UTC(p.y, p.m - 1, p.d) / 86_400_000;
}

/** Completed years, months and days from `from` to `to`; null if `to` is before `from`. */
export function ageParts(fromIso: string, toIso: string): { years: number; months: number; days: number; totalDays: number } | null {
  const a = parts(fromIso);
  const b = parts(toIso);
  if (!a || !b) return null;
  const totalDays = dayNumber(b) - dayNumber(a);
  if (totalDays < 0) return null;
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  // A birthday on the 31st is reached on the last day of a shorter month.
  const anniversaryDay = Math.min(a.d, daysInMonth(b.y, b.m));
  let days = b.d - anniversaryDay;
  if (days < 0) {
    months -= 1;
    const prevY = b.m === 1 ? b.y - 1 : b.y;
    const prevM = b.m === 1 ? 12 : b.m - 1;
    days = b.d + (daysInMonth(prevY, prevM) - Math.min(a.d, daysInMonth(prevY, prevM)));
  }
  return { years: Math.floor(months / 12), months: months % 12, days, totalDays };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Age as people say it: weeks for young babies, months under two, years after that.
 * `on` defaults to today; for someone who has died pass the date of death.
 */
export function describeAge(dobIso: string, onIso: string = todayIso()): string {
  const age = ageParts(dobIso, onIso);
  if (!age) return '';
  if (age.totalDays < 28) return plural(age.totalDays, 'day');
  const totalMonths = age.years * 12 + age.months;
  if (totalMonths < 3) return plural(Math.floor(age.totalDays / 7), 'week');
  if (age.years < 2) return plural(totalMonths, 'month');
  return plural(age.years, 'year');
}

/** A timestamp from the server shown in this computer's time zone: '21/11/2025 15:04'. */
export function formatDateTime(iso: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${pad(t.getDate())}/${pad(t.getMonth() + 1)}/${t.getFullYear()} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** Clinical convention: family name in capitals first. */
export function formatName(familyName: string, givenName: string): string {
  return `${familyName.toUpperCase()}, ${givenName}`;
}

export function yearGroupLabel(year: number | null): string {
  if (year === null) return '';
  if (year === -1) return 'Nursery';
  if (year === 0) return 'Reception';
  return `Year ${year}`;
}

export function connectionLabel(connection: { kind: 'embedded' | 'server'; host: string; database: string }): string {
  return connection.kind === 'embedded'
    ? 'Embedded database on this computer'
    : `Server ${connection.host}/${connection.database}`;
}

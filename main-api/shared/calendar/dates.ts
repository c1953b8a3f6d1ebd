// The one calendar of the product: ISO day strings ('YYYY-MM-DD'), integer day numbers (days
// since 1970-01-01, proleptic Gregorian), ages, arithmetic and the two display styles. Used by
// the engine, the services, the PDFs, the exports and the renderer alike. Nothing here touches a
// local-time Date, so a date of birth can never shift with a workstation's time zone. "Today"
// and instants live in ./england.ts.

/** Month names for the long style; the only month words the product prints. */
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** Day number of a civil date (month 1-12). Algorithm after H. Hinnant's days_from_civil. */
export function dayFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of dayFromCivil; writes [y, m, d] into out to avoid allocating in hot loops. */
export function civilFromDay(n: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  out[0] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out[1] = m;
  out[2] = d;
  return out;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/** Parses a strict 'YYYY-MM-DD' string; returns NaN when it is not a real calendar date. */
export function parseDay(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const m = digit(s, 5) * 10 + digit(s, 6);
  const d = digit(s, 8) * 10 + digit(s, 9);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return NaN;
  return dayFromCivil(y, m, d);
}

/** Like parseDay but throws, for inputs that must be valid. */
export function requireDay(s: string, what = 'Date'): number {
  const n = parseDay(s);
  if (Number.isNaN(n)) throw new RangeError(`${what} '${s}' is not a valid YYYY-MM-DD date`);
  return n;
}

// Formatting is cached per day number: a population run formats the same few thousand dates
// millions of times.
const CACHE_BASE = dayFromCivil(1900, 1, 1);
const CACHE_SIZE = dayFromCivil(2150, 1, 1) - CACHE_BASE;
const scratch: [number, number, number] = [0, 0, 0];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A formatter of day numbers that remembers what it made for days from 1900 to 2149. */
function cachedFormat(make: (y: number, m: number, d: number) => string): (n: number) => string {
  const cache: (string | undefined)[] = [];
  return (n) => {
    const k = n - CACHE_BASE;
    const inRange = k >= 0 && k < CACHE_SIZE;
    const hit = inRange ? cache[k] : undefined;
    if (hit !== undefined) return hit;
    const [y, m, d] = civilFromDay(n, scratch);
    const s = make(y, m, d);
    if (inRange) cache[k] = s;
    return s;
  };
}

/** The ISO form, '2026-02-03'. */
export const formatDay = cachedFormat((y, m, d) => `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`);

/** The long style, '3 February 2026': explanations, messages, letters and printed headings. */
export const formatLongDay = cachedFormat((y, m, d) => `${d} ${MONTH_NAMES[m - 1]} ${y}`);

/**
 * Adds calendar months then days. When the target month is shorter than the start day
 * (31 Jan + 1 month, or a 29 Feb birth + 12 months) the date is clamped to the month's last
 * day: a child born on 29 Feb 2024 turns 1 on 28 Feb 2025. This is the convention the
 * schedule uses everywhere (and the one most clinical systems use for month-based ages).
 */
export function addMonthsDays(start: number, months: number, days: number): number {
  if (months === 0) return start + days;
  const [y, m, d] = civilFromDay(start, scratch);
  return monthsAfterCivil(y, m, d, months) + days;
}

/** The day `months` calendar months after the civil date y-m-d, clamped as above. */
export function monthsAfterCivil(y: number, m: number, d: number, months: number): number {
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = total - ty * 12 + 1;
  const dim = daysInMonth(ty, tm);
  return dayFromCivil(ty, tm, d <= dim ? d : dim);
}

/**
 * 1 September at the start of school year `year` (Reception = 0, Year 1 = 1, ...), for a child
 * born on `dob`. English school years run 1 Sep - 31 Aug, and a child starts Reception in the
 * September after their 4th birthday.
 */
export function schoolYearStart(dob: number, year: number): number {
  const [y, m] = civilFromDay(dob, scratch);
  const academicBirthYear = m >= 9 ? y : y - 1;
  return dayFromCivil(academicBirthYear + 5 + year, 9, 1);
}

/** Whole completed months between dob and day (calendar-correct, with the clamping above). */
function completedMonths(dob: number, day: number): number {
  const [y1, m1, d1] = civilFromDay(dob, [0, 0, 0]);
  const [y2, m2, d2] = civilFromDay(day, [0, 0, 0]);
  let months = (y2 - y1) * 12 + (m2 - m1);
  if (d2 < d1 && addMonthsDays(dob, months, 0) > day) months--;
  return months;
}

/** A count of days as whole weeks and the days over: '8 weeks 2 days', '16 weeks'. */
export function weeksAndDays(days: number): string {
  const w = Math.floor(days / 7);
  const r = days - w * 7;
  return `${w} week${w === 1 ? '' : 's'}${r ? ` ${r} day${r === 1 ? '' : 's'}` : ''}`;
}

/** Age on a day to the day ('8 weeks 2 days', '14 months 3 days'): enough to explain a dose. */
export function describeExactAge(dob: number, day: number): string {
  const days = day - dob;
  if (days < 0) return 'before birth';
  if (days < 7) return days === 1 ? '1 day' : `${days} days`;
  if (days < 26 * 7) return weeksAndDays(days);
  const months = completedMonths(dob, day);
  if (months < 24) {
    const r = day - addMonthsDays(dob, months, 0);
    return `${months} months${r ? ` ${r} day${r === 1 ? '' : 's'}` : ''}`;
  }
  const y = Math.floor(months / 12);
  const m = months - y * 12;
  return `${y} years${m ? ` ${m} month${m === 1 ? '' : 's'}` : ''}`;
}

// ---------------------------------------------------------------------------------------
// ISO day strings: display, entry and ages. Display takes what the database or the wire gives
// ('YYYY-MM-DD' or nothing); anything else is shown as it came rather than hidden.

/** 'YYYY-MM-DD' to a day number, or null when it is not a real calendar date. */
export function dayOf(iso: string): number | null {
  const n = parseDay(iso);
  return Number.isNaN(n) ? null : n;
}

/** The long style for an ISO date: '2016-03-05' -> '5 March 2016'; '' for no date. */
export function formatLongDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const n = dayOf(iso);
  return n === null ? iso : formatLongDay(n);
}

/** The short style for an ISO date, for tables and forms: '2016-03-05' -> '05/03/2016'. */
export function formatShortDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const n = dayOf(iso);
  if (n === null) return iso;
  const [y, m, d] = civilFromDay(n, [0, 0, 0]);
  return `${pad2(d)}/${pad2(m)}/${y}`;
}

/** The ISO date `days` days after (or before, if negative) another. */
export function addDays(iso: string, days: number): string {
  return formatDay(requireDay(iso, 'Date') + days);
}

/** Days from one ISO date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return requireDay(to, 'Date') - requireDay(from, 'Date');
}

const MONTH_BY_WORD = new Map<string, number>(
  MONTH_NAMES.flatMap((name, i) => [[name.toLowerCase(), i + 1] as const, [name.slice(0, 3).toLowerCase(), i + 1] as const]),
);
MONTH_BY_WORD.set('sept', 9);

/**
 * A date as people type it, to ISO; null when it is not a real calendar date. Accepts
 * 5/3/2016, 05-03-2016, 05.03.2016, 05032016, 2016-03-05, '5 Mar 2016', '5 March 2016', and
 * two-digit years (05/03/16). A two-digit year is read as the latest such date not after
 * `today` (a birth or a vaccination is never in the future), or with `twoDigitYear: 'nearest'`
 * as the year nearest today (an expiry date, which may be either side of it).
 */
export function parseEnteredDate(text: string, today: string, twoDigitYear: 'past' | 'nearest' = 'past'): string | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  let y: number;
  let m: number;
  let d: number;
  let shortYear = false;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t))) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})$/.exec(t))) {
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
    shortYear = match[3]!.length === 2;
  } else if ((match = /^(\d{2})(\d{2})(\d{4}|\d{2})$/.exec(t))) {
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
    shortYear = match[3]!.length === 2;
  } else if ((match = /^(\d{1,2})(?:st|nd|rd|th)? ([a-z]+),? (\d{2}|\d{4})$/.exec(t))) {
    const month = MONTH_BY_WORD.get(match[2]!);
    if (month === undefined) return null;
    [d, m, y] = [Number(match[1]), month, Number(match[3])];
    shortYear = match[3]!.length === 2;
  } else {
    return null;
  }
  if (shortYear) {
    const [ty] = civilFromDay(requireDay(today, 'Today'), [0, 0, 0]);
    y += Math.floor(ty / 100) * 100;
    if (twoDigitYear === 'nearest') {
      if (y - ty > 50) y -= 100;
      else if (ty - y > 50) y += 100;
    } else {
      const candidate = formatDayOrNull(y, m, d);
      if (y > ty || (candidate !== null && candidate > today)) y -= 100;
    }
  }
  return formatDayOrNull(y, m, d);
}

function formatDayOrNull(y: number, m: number, d: number): string | null {
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return null;
  return formatDay(dayFromCivil(y, m, d));
}

/** Whole years of age on a day (a 29 February birthday is reached on 28 February, as everywhere). */
export function wholeYears(dob: number, on: number): number {
  return Math.floor(completedMonths(dob, on) / 12);
}

/** Completed years, months and days from `from` to `to`; null if `to` is before `from`. */
export function ageParts(from: string, to: string): { years: number; months: number; days: number; totalDays: number } | null {
  const a = dayOf(from);
  const b = dayOf(to);
  if (a === null || b === null || b < a) return null;
  const months = completedMonths(a, b);
  return { years: Math.floor(months / 12), months: months % 12, days: b - addMonthsDays(a, months, 0), totalDays: b - a };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Age as people say it: days for the newborn, weeks for young babies, months under two, years
 * after that. `on` is today (from the session) or, for someone who has died, the date of death.
 */
export function describeAgeInWords(dob: string, on: string): string {
  const age = ageParts(dob, on);
  if (!age) return '';
  if (age.totalDays < 28) return plural(age.totalDays, 'day');
  const totalMonths = age.years * 12 + age.months;
  if (totalMonths < 3) return plural(Math.floor(age.totalDays / 7), 'week');
  if (age.years < 2) return plural(totalMonths, 'month');
  return plural(age.years, 'year');
}

/**
 * English school year group on a day: -1 nursery, 0 Reception, 1 Year 1 ... The academic year
 * runs 1 September to 31 August, and a child starts Reception in the September after their
 * fourth birthday (the same rule as schoolYearStart).
 */
export function schoolYearGroup(dob: number, on: number): number {
  const [ty, tm] = civilFromDay(on, [0, 0, 0]);
  const academicYearStart = tm >= 9 ? ty : ty - 1;
  const [by, bm] = civilFromDay(dob, [0, 0, 0]);
  const academicBirthYear = bm >= 9 ? by : by - 1;
  return academicYearStart - academicBirthYear - 5;
}

/** 'Nursery', 'Reception', 'Year 8'. */
export function yearGroupLabel(year: number | null): string {
  if (year === null) return '';
  if (year === -1) return 'Nursery';
  if (year === 0) return 'Reception';
  return `Year ${year}`;
}

const WELSH_MONTH_NAMES = [
  'Ionawr',
  'Chwefror',
  'Mawrth',
  'Ebrill',
  'Mai',
  'Mehefin',
  'Gorffennaf',
  'Awst',
  'Medi',
  'Hydref',
  'Tachwedd',
  'Rhagfyr',
];

/** The long style in Welsh, for Welsh letters: '2016-03-05' -> '5 Mawrth 2016'; '' for no date. */
export function formatLongDateWelsh(iso: string | null | undefined): string {
  if (!iso) return '';
  const n = dayOf(iso);
  if (n === null) return iso;
  const [y, m, d] = civilFromDay(n, [0, 0, 0]);
  return `${d} ${WELSH_MONTH_NAMES[m - 1]} ${y}`;
}

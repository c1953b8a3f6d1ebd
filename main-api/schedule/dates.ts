// Calendar arithmetic on integer day numbers (days since 1970-01-01, proleptic Gregorian).
// Nothing here touches a JS Date, so a date of birth can never shift with the local time zone.

const MONTH_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
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
export function requireDay(s: string, what: string): number {
  const n = parseDay(s);
  if (Number.isNaN(n)) throw new RangeError(`${what} '${s}' is not a valid YYYY-MM-DD date`);
  return n;
}

// Formatting is cached per day number: a population run formats the same few thousand dates
// millions of times.
const CACHE_BASE = dayFromCivil(1900, 1, 1);
const CACHE_SIZE = dayFromCivil(2150, 1, 1) - CACHE_BASE;
const isoCache: (string | undefined)[] = [];
const longCache: (string | undefined)[] = [];
const scratch: [number, number, number] = [0, 0, 0];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatDay(n: number): string {
  const k = n - CACHE_BASE;
  const inRange = k >= 0 && k < CACHE_SIZE;
  if (inRange) {
    const hit = isoCache[k];
    if (hit !== undefined) return hit;
  }
  const [y, m, d] = civilFromDay(n, scratch);
  const s = `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
  if (inRange) isoCache[k] = s;
  return s;
}

/** '3 Feb 2026': the form used in explanations. */
export function formatLong(n: number): string {
  const k = n - CACHE_BASE;
  const inRange = k >= 0 && k < CACHE_SIZE;
  if (inRange) {
    const hit = longCache[k];
    if (hit !== undefined) return hit;
  }
  const [y, m, d] = civilFromDay(n, scratch);
  const s = `${d} ${MONTH_SHORT[m - 1]} ${y}`;
  if (inRange) longCache[k] = s;
  return s;
}

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
export function completedMonths(dob: number, day: number): number {
  const [y1, m1, d1] = civilFromDay(dob, [0, 0, 0]);
  const [y2, m2, d2] = civilFromDay(day, [0, 0, 0]);
  let months = (y2 - y1) * 12 + (m2 - m1);
  if (d2 < d1 && addMonthsDays(dob, months, 0) > day) months--;
  return months;
}

/** Plain-English age on a day, precise enough to explain why a dose does or does not count. */
export function describeAge(dob: number, day: number): string {
  const days = day - dob;
  if (days < 0) return 'before birth';
  if (days < 7) return days === 1 ? '1 day' : `${days} days`;
  if (days < 26 * 7) {
    const w = Math.floor(days / 7);
    const r = days - w * 7;
    return `${w} week${w === 1 ? '' : 's'}${r ? ` ${r} day${r === 1 ? '' : 's'}` : ''}`;
  }
  const months = completedMonths(dob, day);
  if (months < 24) {
    const r = day - addMonthsDays(dob, months, 0);
    return `${months} months${r ? ` ${r} day${r === 1 ? '' : 's'}` : ''}`;
  }
  const y = Math.floor(months / 12);
  const m = months - y * 12;
  return `${y} years${m ? ` ${m} month${m === 1 ? '' : 's'}` : ''}`;
}

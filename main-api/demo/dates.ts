// Calendar arithmetic on day numbers (days since 1970-01-01), so that dates of birth never
// pass through a local-time Date. Conversions follow the proleptic Gregorian calendar.

export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilDate(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function formatDay(days: number): string {
  const { year, month, day } = civilDate(days);
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

export function parseDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new RangeError(`"${iso}" is not a YYYY-MM-DD date.`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = dayNumber(year, month, day);
  const back = civilDate(days);
  if (back.month !== month || back.day !== day) throw new RangeError(`"${iso}" is not a real date.`);
  return days;
}

/** Whole years of age on a given day (a 29 February birthday counts from 1 March in other years). */
export function ageOn(dob: number, on: number): number {
  const b = civilDate(dob);
  const d = civilDate(on);
  let age = d.year - b.year;
  if (d.month < b.month || (d.month === b.month && d.day < b.day)) age--;
  return age;
}

/**
 * English school year group on a given day. The academic year runs 1 September to 31 August;
 * a child aged 4 on the 31 August before it starts is in Reception (0), one aged 5 in Year 1,
 * and so on; -1 is the nursery year. Children born 1 September to 31 August share a year.
 */
export function schoolYearGroup(dob: number, on: number): number {
  const today = civilDate(on);
  const academicYearStart = today.month >= 9 ? today.year : today.year - 1;
  const birth = civilDate(dob);
  // Age on 31 August of the start year, without leap-day subtleties: only month/day order matters.
  const ageOn31Aug = academicYearStart - birth.year - (birth.month >= 9 ? 1 : 0);
  return ageOn31Aug - 4;
}

/** Caches formatted dates: the demo formats millions of them over a few thousand distinct days. */
export class DayFormatter {
  private readonly cache = new Map<number, string>();
  format(days: number): string {
    let s = this.cache.get(days);
    if (s === undefined) {
      s = formatDay(days);
      this.cache.set(days, s);
    }
    return s;
  }
}

// Dates for the demo generator, on the schedule engine's day numbers (days since 1970-01-01,
// never a local-time Date): whole years of age and English school year groups.
import { civilFromDay, formatDay, requireDay } from '../schedule/dates';

export { formatDay };

/** A strict YYYY-MM-DD date as a day number; throws RangeError for anything else. */
export function parseDay(iso: string): number {
  return requireDay(iso, 'Date');
}

/** Whole years of age on a given day (a 29 February birthday counts from 1 March in other years). */
export function ageOn(dob: number, on: number): number {
  const [by, bm, bd] = civilFromDay(dob, [0, 0, 0]);
  const [y, m, d] = civilFromDay(on, [0, 0, 0]);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age--;
  return age;
}

/**
 * English school year group on a given day. The academic year runs 1 September to 31 August;
 * a child aged 4 on the 31 August before it starts is in Reception (0), one aged 5 in Year 1,
 * and so on; -1 is the nursery year. Children born 1 September to 31 August share a year.
 */
export function schoolYearGroup(dob: number, on: number): number {
  const [ty, tm] = civilFromDay(on, [0, 0, 0]);
  const academicYearStart = tm >= 9 ? ty : ty - 1;
  const [birthYear, birthMonth] = civilFromDay(dob, [0, 0, 0]);
  // Age on 31 August of the start year, without leap-day subtleties: only month/day order matters.
  const ageOn31Aug = academicYearStart - birthYear - (birthMonth >= 9 ? 1 : 0);
  return ageOn31Aug - 4;
}

import { describe, expect, it } from 'vitest';
import {
  addMonthsDays, civilFromDay, dayFromCivil, describeAge, formatDay, formatLong, parseDay, schoolYearStart,
} from './dates';

const d = (s: string) => parseDay(s);

describe('day numbers', () => {
  it('round-trips every day from 1900 to 2100 through parse and format', () => {
    const bad: number[] = [];
    for (let n = dayFromCivil(1900, 1, 1); n <= dayFromCivil(2100, 12, 31); n += 1) {
      if (parseDay(formatDay(n)) !== n || formatDay(n) !== new Date(n * 86400000).toISOString().slice(0, 10)) bad.push(n);
    }
    expect(bad).toEqual([]);
  });
  it('matches UTC Date arithmetic', () => {
    expect(d('1970-01-01')).toBe(0);
    expect(d('2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86400000);
    expect(civilFromDay(d('2000-03-01'))).toEqual([2000, 3, 1]);
  });
  it('rejects impossible dates', () => {
    for (const bad of ['2025-02-29', '2025-13-01', '2025-00-10', '2025-1-01', '20250101', '2025-04-31']) {
      expect(Number.isNaN(parseDay(bad)), bad).toBe(true);
    }
  });
  it('formats long dates for explanations', () => {
    expect(formatLong(d('2026-02-03'))).toBe('3 Feb 2026');
  });
});

describe('calendar-month ages', () => {
  it.each([
    ['2024-02-29', 12, '2025-02-28'], // leap-day birth: 28 Feb in a non-leap year
    ['2024-02-29', 48, '2028-02-29'],
    ['2024-02-29', 18, '2025-08-29'],
    ['2024-02-29', 40, '2027-06-29'],
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-08-31', 18, '2026-02-28'],
    ['2025-03-10', 12, '2026-03-10'],
    ['2025-11-30', 3, '2026-02-28'],
  ])('%s + %i months = %s', (dob, months, expected) => {
    expect(formatDay(addMonthsDays(d(dob), months, 0))).toBe(expected);
  });
});

describe('school years', () => {
  it.each([
    ['2013-02-14', 8, '2025-09-01'],
    ['2012-09-01', 8, '2025-09-01'], // oldest in the year
    ['2013-08-31', 8, '2025-09-01'], // youngest in the year
    ['2013-09-01', 8, '2026-09-01'],
    ['2021-08-31', 0, '2025-09-01'],
  ])('born %s starts school year %i on %s', (dob, year, expected) => {
    expect(formatDay(schoolYearStart(d(dob), year))).toBe(expected);
  });
});

describe('ages in words', () => {
  it.each([
    ['2025-09-10', '2025-10-15', '5 weeks'],
    ['2025-09-10', '2025-12-25', '15 weeks 1 day'],
    ['2025-01-10', '2025-11-10', '10 months'],
    ['2022-01-10', '2025-05-10', '3 years 4 months'],
  ])('born %s, on %s: %s', (dob, day, expected) => {
    expect(describeAge(d(dob), d(day))).toBe(expected);
  });
});

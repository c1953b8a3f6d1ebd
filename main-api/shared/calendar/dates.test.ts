import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonthsDays,
  ageParts,
  civilFromDay,
  dayFromCivil,
  daysBetween,
  describeAgeInWords,
  describeExactAge,
  formatDay,
  formatLongDate,
  formatLongDay,
  formatShortDate,
  parseDay,
  parseEnteredDate,
  requireDay,
  schoolYearGroup,
  schoolYearStart,
  wholeYears,
  yearGroupLabel,
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
  it('throws for a date that must be valid, naming it', () => {
    expect(() => requireDay('2023-02-29', 'Date of birth')).toThrow(/Date of birth '2023-02-29'/);
    expect(() => requireDay('1/2/2023')).toThrow(RangeError);
  });
  it('does arithmetic on ISO days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2025-12-25', '2026-01-01')).toBe(7);
    expect(daysBetween('2026-01-01', '2025-12-25')).toBe(-7);
  });
});

describe('the two display styles', () => {
  it('long: day without a leading zero, the month in full', () => {
    expect(formatLongDay(d('2026-02-03'))).toBe('3 February 2026');
    expect(formatLongDate('2016-03-05')).toBe('5 March 2016');
    expect(formatLongDate('2024-02-29')).toBe('29 February 2024');
    expect(formatLongDate('2024-12-25')).toBe('25 December 2024');
  });
  it('short: dd/mm/yyyy', () => {
    expect(formatShortDate('2019-03-01')).toBe('01/03/2019');
    expect(formatShortDate('2016-09-30')).toBe('30/09/2016');
  });
  it('shows no date as nothing and a malformed one as it came, never as "undefined"', () => {
    for (const f of [formatLongDate, formatShortDate]) {
      expect(f(null)).toBe('');
      expect(f(undefined)).toBe('');
      expect(f('2023-02-29')).toBe('2023-02-29');
      expect(f('not a date')).toBe('not a date');
    }
  });
});

describe('dates as people type them', () => {
  const today = '2026-12-01';
  it.each([
    ['5/3/2016', '2016-03-05'],
    ['05/03/2016', '2016-03-05'],
    ['05-03-2016', '2016-03-05'],
    ['05.03.2016', '2016-03-05'],
    ['5 3 2016', '2016-03-05'],
    ['05032016', '2016-03-05'],
    ['2016-03-05', '2016-03-05'],
    ['26 Feb 2021', '2021-02-26'],
    ['26 february 2021', '2021-02-26'],
    ['26th Feb, 2021', '2021-02-26'],
    ['1 Sept 2020', '2020-09-01'],
    [' 29/02/2024 ', '2024-02-29'],
  ])('%s is %s', (typed, iso) => {
    expect(parseEnteredDate(typed, today)).toBe(iso);
  });
  it('reads a two-digit year as the latest such year not after today', () => {
    expect(parseEnteredDate('05/03/16', today)).toBe('2016-03-05');
    expect(parseEnteredDate('01/12/26', today)).toBe('2026-12-01');
    expect(parseEnteredDate('02/12/26', today)).toBe('1926-12-02');
    expect(parseEnteredDate('05/03/45', today)).toBe('1945-03-05');
    expect(parseEnteredDate('050316', today)).toBe('2016-03-05');
  });
  it('reads a two-digit expiry year as the year nearest today', () => {
    expect(parseEnteredDate('01/06/27', today, 'nearest')).toBe('2027-06-01');
    expect(parseEnteredDate('01/06/25', today, 'nearest')).toBe('2025-06-01');
    expect(parseEnteredDate('01/06/80', today, 'nearest')).toBe('1980-06-01');
  });
  it.each(['29/02/2023', '31/04/2025', '00/01/2025', '5 Foo 2020', '2025', '', 'tomorrow', '1/13/2020'])('rejects %j', (typed) => {
    expect(parseEnteredDate(typed, today)).toBeNull();
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

describe('ages', () => {
  it('counts whole years, a leap-day birthday reached on 28 February', () => {
    expect(wholeYears(d('2000-10-01'), d('2026-10-01'))).toBe(26);
    expect(wholeYears(d('2000-10-02'), d('2026-10-01'))).toBe(25);
    expect(wholeYears(d('2024-02-29'), d('2025-02-27'))).toBe(0);
    expect(wholeYears(d('2024-02-29'), d('2025-02-28'))).toBe(1);
  });
  it('splits an age into years, months and days', () => {
    expect(ageParts('2019-03-01', '2025-02-28')?.years).toBe(5);
    expect(ageParts('2019-03-01', '2025-03-01')?.years).toBe(6);
    expect(ageParts('2025-03-01', '2019-03-01')).toBeNull();
    expect(ageParts('2020-02-29', '2021-02-28')).toMatchObject({ years: 1, months: 0, days: 0 });
    expect(ageParts('2020-02-29', '2021-02-27')).toMatchObject({ years: 0, months: 11 });
    expect(ageParts('2020-01-15', '2020-03-10')).toMatchObject({ months: 1, days: 24 });
  });
  it.each([
    ['2025-11-01', '2025-11-01', '0 days'],
    ['2025-11-01', '2025-11-02', '1 day'],
    ['2025-09-01', '2025-10-27', '8 weeks'],
    ['2025-01-15', '2025-11-20', '10 months'],
    ['2023-12-01', '2025-11-30', '23 months'],
    ['2023-12-01', '2025-12-01', '2 years'],
    ['1950-06-30', '2025-06-29', '74 years'],
    ['2030-01-01', '2025-01-01', ''],
  ])('born %s, on %s, people say %j', (dob, on, expected) => {
    expect(describeAgeInWords(dob, on)).toBe(expected);
  });
});

describe('English school year groups (1 September to 31 August)', () => {
  const on = d('2026-10-01'); // academic year 2026-27
  it('puts children aged 4 on 31 August in Reception, and changes year between 31 August and 1 September', () => {
    expect(schoolYearGroup(d('2021-09-01'), on)).toBe(0);
    expect(schoolYearGroup(d('2022-08-31'), on)).toBe(0);
    expect(schoolYearGroup(d('2021-08-31'), on)).toBe(1);
    expect(schoolYearGroup(d('2022-09-01'), on)).toBe(-1);
    expect(schoolYearGroup(d('2012-09-01'), on)).toBe(9);
    expect(schoolYearGroup(d('2011-08-31'), on)).toBe(11);
  });
  it('uses the academic year the day falls in, and agrees with schoolYearStart', () => {
    expect(schoolYearGroup(d('2021-09-01'), d('2026-08-31'))).toBe(-1);
    expect(schoolYearGroup(d('2021-09-01'), d('2026-09-01'))).toBe(0);
    for (const dob of ['2013-02-14', '2012-09-01', '2013-08-31']) {
      expect(schoolYearGroup(d(dob), schoolYearStart(d(dob), 8))).toBe(8);
      expect(schoolYearGroup(d(dob), schoolYearStart(d(dob), 8) - 1)).toBe(7);
    }
  });
  it('names the year groups', () => {
    expect(yearGroupLabel(-1)).toBe('Nursery');
    expect(yearGroupLabel(0)).toBe('Reception');
    expect(yearGroupLabel(8)).toBe('Year 8');
    expect(yearGroupLabel(null)).toBe('');
  });
});

describe('exact ages for explanations', () => {
  it.each([
    ['2025-09-10', '2025-10-15', '5 weeks'],
    ['2025-09-10', '2025-12-25', '15 weeks 1 day'],
    ['2025-01-10', '2025-11-10', '10 months'],
    ['2022-01-10', '2025-05-10', '3 years 4 months'],
  ])('born %s, on %s: %s', (dob, day, expected) => {
    expect(describeExactAge(d(dob), d(day))).toBe(expected);
  });
});

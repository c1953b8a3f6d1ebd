import { describe, expect, it } from 'vitest';
import { ageOn, formatDay, parseDay, schoolYearGroup } from './dates';

const d = parseDay;

describe('day numbers', () => {
  it('round-trips every day across a long span, leap years included', () => {
    for (let n = d('1900-01-01'); n <= d('2100-12-31'); n += 1) {
      expect(parseDay(formatDay(n))).toBe(n);
    }
    expect(parseDay('1970-01-01')).toBe(0);
    expect(formatDay(d('2024-02-28') + 1)).toBe('2024-02-29');
    expect(formatDay(d('2023-02-28') + 1)).toBe('2023-03-01');
    expect(formatDay(d('2000-02-29'))).toBe('2000-02-29');
  });

  it('rejects dates that do not exist', () => {
    expect(() => parseDay('2023-02-29')).toThrow(RangeError);
    expect(() => parseDay('2023-13-01')).toThrow(RangeError);
    expect(() => parseDay('1/2/2023')).toThrow(RangeError);
  });

  it('counts whole years of age', () => {
    expect(ageOn(d('2000-10-01'), d('2026-10-01'))).toBe(26);
    expect(ageOn(d('2000-10-02'), d('2026-10-01'))).toBe(25);
    expect(ageOn(d('2024-02-29'), d('2025-02-28'))).toBe(0);
    expect(ageOn(d('2024-02-29'), d('2025-03-01'))).toBe(1);
  });
});

describe('schoolYearGroup (English school year, 1 September to 31 August)', () => {
  const on = d('2026-10-01'); // academic year 2026-27

  it('puts children aged 4 on 31 August 2026 in Reception', () => {
    expect(schoolYearGroup(d('2021-09-01'), on)).toBe(0);
    expect(schoolYearGroup(d('2022-08-31'), on)).toBe(0);
  });

  it('changes year between 31 August and 1 September birthdays', () => {
    expect(schoolYearGroup(d('2021-08-31'), on)).toBe(1);
    expect(schoolYearGroup(d('2022-09-01'), on)).toBe(-1); // nursery
    expect(schoolYearGroup(d('2012-09-01'), on)).toBe(9);
    expect(schoolYearGroup(d('2011-08-31'), on)).toBe(11);
    expect(schoolYearGroup(d('2010-09-01'), on)).toBe(11);
  });

  it('uses the academic year that the reference date falls in', () => {
    // In August 2026 it is still the 2025-26 year: the same child is one year lower.
    expect(schoolYearGroup(d('2021-09-01'), d('2026-08-31'))).toBe(-1);
    expect(schoolYearGroup(d('2021-09-01'), d('2026-09-01'))).toBe(0);
  });
});

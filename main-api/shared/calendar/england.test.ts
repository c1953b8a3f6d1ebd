import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract/result';
import { formatDateTime, instantInEngland, londonDate, todayInLondon } from './england';

describe("England's date at an instant", () => {
  it('uses the date in England, across the summer-time boundary', () => {
    expect(londonDate('2025-06-30T23:30:00Z')).toBe('2025-07-01'); // BST: 00:30 next day
    expect(londonDate('2025-12-31T23:30:00Z')).toBe('2025-12-31'); // GMT
    expect(londonDate('2025-10-01T00:30:00+02:00')).toBe('2025-09-30');
    expect(todayInLondon(new Date('2026-03-29T23:10:00Z'))).toBe('2026-03-30');
  });
  it('refuses something that is not an instant', () => {
    expect(() => londonDate('nonsense')).toThrow(AppError);
  });
});

describe('date and time as read in England', () => {
  it('shows an instant on the clock in England in the short style', () => {
    expect(formatDateTime('2025-11-21T15:04:00Z')).toBe('21/11/2025 15:04');
    expect(formatDateTime('2025-07-01T08:05:00Z')).toBe('01/07/2025 09:05');
    expect(formatDateTime('2025-06-30T23:30:00Z')).toBe('01/07/2025 00:30');
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('garbage')).toBe('garbage');
  });
  it('turns a typed date and time into the instant, in summer and in winter', () => {
    expect(instantInEngland('2025-10-01', '14:30')).toBe('2025-10-01T13:30:00.000Z');
    expect(instantInEngland('2025-12-01', '14:30')).toBe('2025-12-01T14:30:00.000Z');
    expect(instantInEngland('2025-12-01', '9.05')).toBe('2025-12-01T09:05:00.000Z');
  });
  it('reads the hours around the clock changes sensibly', () => {
    // 30 March 2025: 01:00 GMT became 02:00 BST, so 01:30 never happened; it is read on the winter clock.
    expect(instantInEngland('2025-03-30', '01:30')).toBe('2025-03-30T01:30:00.000Z');
    expect(instantInEngland('2025-03-30', '02:30')).toBe('2025-03-30T01:30:00.000Z');
    // 26 October 2025: 01:30 happened twice; the first (summer) reading is taken.
    expect(instantInEngland('2025-10-26', '01:30')).toBe('2025-10-26T00:30:00.000Z');
    expect(instantInEngland('2025-10-26', '03:00')).toBe('2025-10-26T03:00:00.000Z');
  });
  it('refuses what is not a date and a time', () => {
    expect(instantInEngland('2025-10-01', '25:00')).toBeNull();
    expect(instantInEngland('2025-02-30', '10:00')).toBeNull();
    expect(instantInEngland('01/10/2025', '10:00')).toBeNull();
    expect(instantInEngland('2025-10-01', 'noon')).toBeNull();
  });
  it('round-trips through the display', () => {
    const at = instantInEngland('2025-07-15', '08:45');
    expect(formatDateTime(at)).toBe('15/07/2025 08:45');
    expect(londonDate(at!)).toBe('2025-07-15');
  });
});

import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, nhsCheckDigit } from '../shared/identifiers/nhs-number';
import { DEMO_FIRST_STEM, NhsNumberSequence, demoCapacityFrom, stemAfter } from './nhs-sequence';
import { expectBetween } from '../../tests/support/expect';

describe('NhsNumberSequence', () => {
  it('gives valid, increasing, distinct numbers in the 999 range', () => {
    const seq = new NhsNumberSequence();
    const numbers = Array.from({ length: 20_000 }, () => seq.next());
    // One assertion per property over the whole list: 60,000 expect calls took seconds.
    expect(numbers.filter((n) => !/^999\d{7}$/.test(n) || !isValidNhsNumber(n))).toEqual([]);
    expect(numbers.filter((n, i) => i > 0 && n <= numbers[i - 1]!)).toEqual([]);
    expect(new Set(numbers).size).toBe(20_000);
  });

  it('skips stems whose check digit would be 10', () => {
    // Find a stem with no valid check digit and make sure the sequence steps over it.
    let stem = DEMO_FIRST_STEM;
    while (nhsCheckDigit(String(stem)) !== null) stem++;
    const seq = new NhsNumberSequence(stem);
    expect(seq.next().slice(0, 9)).toBe(String(stem + 1));
  });

  it('stops at the end of the range instead of leaving it', () => {
    const seq = new NhsNumberSequence(999_999_990);
    const remaining = demoCapacityFrom(999_999_990);
    for (let i = 0; i < remaining; i++) expect(seq.next().startsWith('999')).toBe(true);
    expect(() => seq.next()).toThrow(/used up/);
    expect(() => new NhsNumberSequence(998_999_999)).toThrow(RangeError);
  });

  it('knows how many numbers the range holds, and continues after an existing one', () => {
    // About ten in eleven stems have a valid check digit.
    const capacity = demoCapacityFrom();
    expectBetween(capacity, 900_000, 1_000_000);
    expect(stemAfter(null)).toBe(DEMO_FIRST_STEM);
    expect(stemAfter('9990000018')).toBe(999_000_002);
    expect(stemAfter('4010232137')).toBe(DEMO_FIRST_STEM);
  });
});

import { describe, expect, it } from 'vitest';
import { checkSearchText, describeRange, lastPage, noResultsAdvice } from './search-input';

describe('search box pre-checks', () => {
  it('waits quietly while an NHS number is being typed', () => {
    expect(checkSearchText('943 476')).toEqual({ kind: 'incomplete' });
    expect(checkSearchText('')).toEqual({ kind: 'empty' });
    expect(checkSearchText('   ')).toEqual({ kind: 'empty' });
  });

  it('reports a wrong check digit as soon as the tenth digit is typed', () => {
    expect(checkSearchText('943 476 5918')).toEqual({
      kind: 'invalid',
      message: '943 476 5918 is not a valid NHS number: the check digit does not match.',
    });
    expect(checkSearchText('9434765918').kind).toBe('invalid');
  });

  it('accepts a valid NHS number with or without spaces', () => {
    expect(checkSearchText('943 476 5919')).toEqual({ kind: 'ready', text: '943 476 5919', nhsNumber: '9434765919' });
    expect(checkSearchText(' 9434765919 ')).toEqual({ kind: 'ready', text: '9434765919', nhsNumber: '9434765919' });
    expect(checkSearchText('943-476-5919').kind).toBe('ready');
  });

  it('rejects too few or too many digits when the search is run', () => {
    expect(checkSearchText('943 476', true)).toEqual({ kind: 'invalid', message: 'An NHS number has 10 digits.' });
    expect(checkSearchText('94347659190')).toEqual({ kind: 'invalid', message: 'An NHS number has 10 digits.' });
  });

  it('leaves names, dates and postcodes to the server', () => {
    expect(checkSearchText('Smith 01/03/2019')).toEqual({ kind: 'ready', text: 'Smith 01/03/2019', nhsNumber: null });
    expect(checkSearchText('smi ME14 1', true)).toEqual({ kind: 'ready', text: 'smi ME14 1', nhsNumber: null });
    // A date alone is not an NHS number, even though it is mostly digits.
    expect(checkSearchText('2019-03-01', true).kind).toBe('ready');
  });
});

describe('words around the results', () => {
  it('advises on an NHS number without mentioning spelling or dates of birth', () => {
    const advice = noResultsAdvice('nhs-number');
    expect(advice).toContain('NHS number');
    expect(advice).not.toMatch(/spelling|check the date of birth/i);
    expect(noResultsAdvice('surname-dob')).toContain('date of birth');
    expect(noResultsAdvice('postcode')).toContain('postcode');
  });

  it('says which people a page shows, and when the count stopped', () => {
    expect(describeRange(1, 50, 3, { count: 3, atLeast: false })).toBe('3 people found');
    expect(describeRange(1, 50, 1, { count: 1, atLeast: false })).toBe('1 person found');
    expect(describeRange(2, 50, 50, { count: 312, atLeast: false })).toBe('51–100 of 312 people');
    expect(describeRange(1, 50, 50, { count: 1000, atLeast: true })).toBe('1–50 of more than 1,000 people');
    expect(lastPage(50, { count: 312, atLeast: false })).toBe(7);
    expect(lastPage(50, { count: 1000, atLeast: true })).toBe(20);
    expect(lastPage(50, { count: 0, atLeast: false })).toBe(1);
  });
});

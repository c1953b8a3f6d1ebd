import { describe, expect, it } from 'vitest';
import { AppError } from '../contract/result';
import { describeSearch, parseSearch } from './search.rules';

const TODAY = '2026-12-01';

describe('parseSearch', () => {
  it.each([
    ['9434765919', { kind: 'nhs-number', nhsNumber: '9434765919' }],
    ['943 476 5919', { kind: 'nhs-number', nhsNumber: '9434765919' }],
    ['smith 01/03/2019', { kind: 'surname-dob', surname: 'smith', givenName: null, dateOfBirth: '2019-03-01' }],
    ['Smith 2019-03-01', { kind: 'surname-dob', surname: 'Smith', givenName: null, dateOfBirth: '2019-03-01' }],
    ['1/3/2019 Jones', { kind: 'surname-dob', surname: 'Jones', givenName: null, dateOfBirth: '2019-03-01' }],
    ['Amy Jones 29/02/2024', { kind: 'surname-dob', surname: 'Jones', givenName: 'Amy', dateOfBirth: '2024-02-29' }],
    ['smi ME14 1XX', { kind: 'name-postcode', name: 'smi', postcode: { level: 'full', value: 'ME14 1XX' } }],
    ['smi me141xx', { kind: 'name-postcode', name: 'smi', postcode: { level: 'full', value: 'ME14 1XX' } }],
    ['smi ME14 1', { kind: 'name-postcode', name: 'smi', postcode: { level: 'sector', value: 'ME14 1' } }],
    ['jo ct9', { kind: 'name-postcode', name: 'jo', postcode: { level: 'district', value: 'CT9' } }],
    ['Smith', { kind: 'name', surname: 'Smith', givenName: null }],
    ['John Smith', { kind: 'name', surname: 'Smith', givenName: 'John' }],
    ['Smith, John', { kind: 'name', surname: 'Smith', givenName: 'John' }],
    ["O'Brien", { kind: 'name', surname: "O'Brien", givenName: null }],
    // Dates as people type them: two-digit years, month names, no separators.
    ['Smith 26/02/21', { kind: 'surname-dob', surname: 'Smith', givenName: null, dateOfBirth: '2021-02-26' }],
    ['Smith 26 Feb 2021', { kind: 'surname-dob', surname: 'Smith', givenName: null, dateOfBirth: '2021-02-26' }],
    ['Smith 26022021', { kind: 'surname-dob', surname: 'Smith', givenName: null, dateOfBirth: '2021-02-26' }],
    ['Smith 260221', { kind: 'surname-dob', surname: 'Smith', givenName: null, dateOfBirth: '2021-02-26' }],
    ['26 February 2021 Amy Smith', { kind: 'surname-dob', surname: 'Smith', givenName: 'Amy', dateOfBirth: '2021-02-26' }],
    ['Smith, Amy 1st Mar 19', { kind: 'surname-dob', surname: 'Smith', givenName: 'Amy', dateOfBirth: '2019-03-01' }],
    // A two-digit year is the latest such date not after today: 26/02/30 is 1930.
    ['Smith 26/02/30', { kind: 'surname-dob', surname: 'Smith', givenName: null, dateOfBirth: '1930-02-26' }],
    // The first letters of a surname with a date of birth.
    ['smi 26/02/21', { kind: 'surname-dob', surname: 'smi', givenName: null, dateOfBirth: '2021-02-26' }],
    // A postcode alone, full or sector.
    ['ME14 1QR', { kind: 'postcode', postcode: { level: 'full', value: 'ME14 1QR' } }],
    ['me141qr', { kind: 'postcode', postcode: { level: 'full', value: 'ME14 1QR' } }],
    ['ME14 1', { kind: 'postcode', postcode: { level: 'sector', value: 'ME14 1' } }],
  ])('reads %s', (text, expected) => {
    expect(parseSearch(text, TODAY)).toEqual(expected);
  });

  it('explains an NHS number with a wrong check digit', () => {
    expect(() => parseSearch('943 476 5918', TODAY)).toThrowError(/943 476 5918 is not a valid NHS number/);
    try {
      parseSearch('9434765918', TODAY);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('VALIDATION');
    }
  });

  it('says when an NHS number is too short', () => {
    expect(() => parseSearch('943476', TODAY)).toThrowError(/10 digits/);
  });

  it('refuses impossible dates', () => {
    expect(() => parseSearch('smith 29/02/2023', TODAY)).toThrowError(/not a real date/);
    expect(() => parseSearch('smith 31/04/2020', TODAY)).toThrowError(/not a real date/);
  });

  it('needs a name with a date, and with a postcode district', () => {
    expect(() => parseSearch('01/03/2019', TODAY)).toThrowError(/surname/);
    expect(() => parseSearch('26022021', TODAY)).toThrowError(/surname/);
    expect(() => parseSearch('26 Feb 2021', TODAY)).toThrowError(/surname/);
    expect(() => parseSearch('x', TODAY)).toThrowError(/two letters/);
    expect(() => parseSearch('ME14', TODAY)).toThrowError(
      'Add part of a name, or the sector digit (for example ME14 1), to search in ME14.',
    );
  });

  it('refuses impossible dates however they are typed', () => {
    expect(() => parseSearch('Smith 30 Feb 2021', TODAY)).toThrowError('30 Feb 2021 is not a real date.');
    expect(() => parseSearch('Smith 30022021', TODAY)).toThrowError(/not a real date/);
    expect(() => parseSearch('Smith 30/02/21', TODAY)).toThrowError(/not a real date/);
  });

  it('describes what it searched for', () => {
    expect(describeSearch(parseSearch('smith 01/03/2019', TODAY))).toBe('Surname starting SMITH, born 1 March 2019');
    expect(describeSearch(parseSearch('9434765919', TODAY))).toBe('NHS number 943 476 5919');
    expect(describeSearch(parseSearch('ME14 1QR', TODAY))).toBe('Everyone in postcode ME14 1QR');
    expect(describeSearch(parseSearch('ME14 1', TODAY))).toBe('Everyone in postcode ME14 1…');
  });
});

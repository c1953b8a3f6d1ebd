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

  it('needs a name with a date or postcode', () => {
    expect(() => parseSearch('01/03/2019', TODAY)).toThrowError(/surname/);
    expect(() => parseSearch('x', TODAY)).toThrowError(/two letters/);
  });

  it('describes what it searched for', () => {
    expect(describeSearch(parseSearch('smith 01/03/2019', TODAY))).toBe('Surname SMITH, born 1 March 2019');
    expect(describeSearch(parseSearch('9434765919', TODAY))).toBe('NHS number 943 476 5919');
  });
});

import { describe, expect, it } from 'vitest';
import { MERGE_FIELDS } from '../vocabulary/letters';
import { fieldsOf, mergeTemplate, parseTemplate, smsLength, unknownFields } from './template-text';

describe('template text', () => {
  it('fills merge fields whatever their case or spacing', () => {
    expect(mergeTemplate('Dear ((First_Name)) ((LAST  name)),', { 'first name': 'Ada', 'last name': 'Lovelace' })).toBe(
      'Dear Ada Lovelace,',
    );
  });

  it('shows an optional block only when its field has a value', () => {
    const t = 'Book now.((booking link?? Book online.))((booking phone?? Or phone us.))';
    expect(mergeTemplate(t, { 'booking link': 'https://x.example' })).toBe('Book now. Book online.');
    expect(mergeTemplate(t, { 'booking link': '  ' })).toBe('Book now.');
  });

  it('fills fields inside an optional block, and checks them', () => {
    const t = '((booking phone?? Phone ((booking phone)) to book.))';
    expect(mergeTemplate(t, { 'booking phone': '01622 123456' })).toBe(' Phone 01622 123456 to book.');
    expect(mergeTemplate(t, {})).toBe('');
    expect(unknownFields('((booking phone?? Phone ((shoe size)).))')).toEqual(['shoe size']);
  });

  it('keeps a bracket written around a field as text', () => {
    expect(mergeTemplate('At the clinic (((clinic postcode))).', { 'clinic postcode': 'ME14 1XX' })).toBe('At the clinic (ME14 1XX).');
  });

  it('knows every field of the vocabulary and only those', () => {
    expect(unknownFields(MERGE_FIELDS.map((f) => `((${f}))`).join(' '))).toEqual([]);
    expect(unknownFields('Hello ((first name)) ((shoe size)) ((favourite colour??x)) ((shoe size))')).toEqual([
      'shoe size',
      'favourite colour',
    ]);
  });

  it('refuses a template naming an unknown field, naming it', () => {
    const parsed = parseTemplate('Hello ((first name)), your ((pet name))');
    expect(parsed.problems).toEqual([{ at: 27, field: 'pet name', message: 'Unknown merge field ((pet name)).' }]);
    expect(() => mergeTemplate('((pet name))', {})).toThrow('((pet name))');
  });

  it('reports brackets left open and empty fields', () => {
    expect(parseTemplate('Hello ((first name').problems[0]?.message).toMatch(/no matching/);
    expect(parseTemplate('Hello (( ))').problems[0]?.message).toMatch(/empty/);
    expect(fieldsOf('((a)) ((b)) ((a))')).toEqual(['a', 'b']);
  });
});

describe('text message length', () => {
  it('counts GSM messages in parts of 160, then 153', () => {
    expect(smsLength('a'.repeat(160))).toMatchObject({ encoding: 'GSM', parts: 1, leftInPart: 0 });
    expect(smsLength('a'.repeat(161))).toMatchObject({ encoding: 'GSM', parts: 2, leftInPart: 306 - 161 });
    expect(smsLength('a'.repeat(306)).parts).toBe(2);
    expect(smsLength('a'.repeat(307)).parts).toBe(3);
  });

  it('counts GSM extension characters twice', () => {
    expect(smsLength('€'.repeat(80))).toMatchObject({ encoding: 'GSM', units: 160, parts: 1 });
    expect(smsLength('[' + 'a'.repeat(159)).parts).toBe(2);
  });

  it('switches the whole message to Unicode for one character outside GSM, in parts of 70, then 67', () => {
    const welsh = 'Ŵ' + 'a'.repeat(69);
    expect(smsLength(welsh)).toMatchObject({ encoding: 'UNICODE', parts: 1, unicodeCharacters: ['Ŵ'] });
    expect(smsLength(welsh + 'a').parts).toBe(2);
    expect(smsLength('ŷ' + 'a'.repeat(134)).parts).toBe(3);
  });

  it('refuses messages over Notify’s 918 characters', () => {
    expect(smsLength('a'.repeat(918)).tooLong).toBe(false);
    expect(smsLength('a'.repeat(919)).tooLong).toBe(true);
    expect(smsLength('').parts).toBe(0);
  });
});

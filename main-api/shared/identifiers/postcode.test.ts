import { describe, expect, it } from 'vitest';
import { normalisePostcodePrefix, parsePostcode } from './postcode';

describe('postcode', () => {
  it('splits a postcode into area, district and sector', () => {
    expect(parsePostcode('me141xx')).toEqual({ postcode: 'ME14 1XX', area: 'ME', district: 'ME14', sector: 'ME14 1' });
    expect(parsePostcode('SW1A 1AA')).toEqual({ postcode: 'SW1A 1AA', area: 'SW', district: 'SW1A', sector: 'SW1A 1' });
    expect(parsePostcode('B1 1AA')?.area).toBe('B');
  });
  it('rejects what is not a postcode', () => {
    expect(parsePostcode('ME14')).toBeNull();
    expect(parsePostcode('12345')).toBeNull();
  });
  it('normalises partial postcodes for search', () => {
    expect(normalisePostcodePrefix('me14 1')).toBe('ME14 1');
    expect(normalisePostcodePrefix('me14')).toBe('ME14');
    expect(normalisePostcodePrefix(' me14 1xx ')).toBe('ME14 1XX');
  });
});

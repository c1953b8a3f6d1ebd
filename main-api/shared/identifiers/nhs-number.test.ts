import { describe, expect, it } from 'vitest';
import { checkNhsNumber, formatNhsNumber, nhsCheckDigit } from './nhs-number';

describe('NHS number', () => {
  it('accepts the published example with or without spaces', () => {
    expect(checkNhsNumber('9434765919')).toEqual({ valid: true, value: '9434765919' });
    expect(checkNhsNumber('943 476 5919')).toEqual({ valid: true, value: '9434765919' });
    expect(checkNhsNumber('943-476-5919')).toEqual({ valid: true, value: '9434765919' });
  });

  it('rejects a wrong check digit with a reason', () => {
    const r = checkNhsNumber('9434765918');
    expect(r.valid).toBe(false);
    expect(r.valid === false && r.reason).toBe('check-digit');
    expect(r.valid === false && r.message).toContain('943 476 5918');
  });

  it('rejects a number whose check digit would be 10', () => {
    // 999 000 001: weights give sum 9*10+9*9+9*8+1*2 = 245; 245 mod 11 = 3; 11-3 = 8 -> valid.
    // Find nine digits whose check is 10 and make sure every tenth digit fails.
    let nine = '';
    for (let n = 999000000; n < 999001000; n++) {
      if (nhsCheckDigit(String(n)) === null) {
        nine = String(n);
        break;
      }
    }
    expect(nine).not.toBe('');
    for (let d = 0; d <= 9; d++) expect(checkNhsNumber(nine + d).valid).toBe(false);
  });

  it('maps a check of 11 to 0', () => {
    let nine = '';
    for (let n = 999000000; n < 999001000; n++) {
      let sum = 0;
      const s = String(n);
      for (let i = 0; i < 9; i++) sum += Number(s[i]) * (10 - i);
      if (sum % 11 === 0) {
        nine = s;
        break;
      }
    }
    expect(nhsCheckDigit(nine)).toBe(0);
    expect(checkNhsNumber(nine + '0').valid).toBe(true);
  });

  it('rejects wrong lengths and letters', () => {
    expect(checkNhsNumber('943476591').valid).toBe(false);
    expect(checkNhsNumber('94347659190').valid).toBe(false);
    expect(checkNhsNumber('94347659AB').valid).toBe(false);
  });

  it('formats as 3-3-4', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });
});

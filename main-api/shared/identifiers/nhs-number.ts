// NHS number: 10 digits, Modulus 11 check digit over weights 10..2.

export type NhsNumberCheck = { valid: true; value: string } | { valid: false; reason: 'format' | 'check-digit'; message: string };

export function nhsCheckDigit(first9: string): number | null {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return null; // no valid number has these nine digits
  return check;
}

/** Accepts spaces or hyphens between groups, as people type them. */
export function checkNhsNumber(input: string): NhsNumberCheck {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits)) {
    return { valid: false, reason: 'format', message: 'An NHS number has 10 digits.' };
  }
  const expected = nhsCheckDigit(digits.slice(0, 9));
  if (expected === null || expected !== Number(digits[9])) {
    return {
      valid: false,
      reason: 'check-digit',
      message: `${formatNhsNumber(digits)} is not a valid NHS number: the check digit does not match.`,
    };
  }
  return { valid: true, value: digits };
}

export function isValidNhsNumber(input: string): boolean {
  return checkNhsNumber(input).valid;
}

/** Display form: 943 476 5919. */
export function formatNhsNumber(digits: string): string {
  const d = digits.replace(/\D/g, '');
  return d.length === 10 ? `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}` : digits;
}

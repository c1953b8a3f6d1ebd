// What the search box can tell before asking the server. Only NHS numbers are checked here:
// a mistyped number is caught as soon as the tenth digit is typed, without a round trip.
import { checkNhsNumber } from '../../../../main-api/shared/identifiers/nhs-number';

export type SearchCheck =
  | { kind: 'empty' }
  | { kind: 'incomplete' } // digits only, fewer than 10 so far: nothing to say yet
  | { kind: 'invalid'; message: string }
  | { kind: 'ready'; text: string; nhsNumber: string | null };

// Digits and spaces, or the hyphenated 3-3-4 form; a date such as 2019-03-01 is not a number.
const NUMBER_LIKE = /^(?:[\d\s]+|\d{3}-\d{3}-\d{4})$/;

/**
 * Checks the search text as typed. `submitting` is true when the person pressed Enter:
 * then an incomplete number becomes an error instead of a quiet wait.
 */
export function checkSearchText(raw: string, submitting = false): SearchCheck {
  const text = raw.trim();
  if (text === '') return { kind: 'empty' };
  if (!NUMBER_LIKE.test(text)) return { kind: 'ready', text, nhsNumber: null };
  const digits = text.replace(/\D/g, '');
  if (digits.length < 10) {
    return submitting ? { kind: 'invalid', message: 'An NHS number has 10 digits.' } : { kind: 'incomplete' };
  }
  if (digits.length > 10) return { kind: 'invalid', message: 'An NHS number has 10 digits.' };
  const check = checkNhsNumber(digits);
  if (!check.valid) return { kind: 'invalid', message: check.message };
  return { kind: 'ready', text, nhsNumber: check.value };
}

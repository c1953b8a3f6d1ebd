// What the search box can tell before asking the server, and the words around its answer.
// Only NHS numbers are checked here: a mistyped number is caught as soon as the tenth digit is
// typed, without a round trip.
import type { SearchKind } from '../../../../main-api/contract/people';
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

/** What to try next when a search finds no one, for the way the box was read. */
export function noResultsAdvice(kind: SearchKind): string {
  switch (kind) {
    case 'nhs-number':
      return 'No one with this NHS number is registered in the areas you can see. Check the number against the letter or record it came from, or search by surname and date of birth.';
    case 'surname-dob':
      return 'Check the date of birth, or type fewer letters of the surname: smi 26/02/2021 finds every surname starting SMI born that day.';
    case 'name-postcode':
      return 'Check the postcode, or widen it to the sector (ME14 1) or the district (ME14).';
    case 'postcode':
      return 'Check the postcode, or search the sector (for example ME14 1).';
    case 'name':
      return 'Check the spelling, or add a date of birth or a postcode. You can also search with the NHS number.';
  }
}

/** "1–50 of 312 people", or "of more than 1,000" when the count stopped at its cap. */
export function describeRange(page: number, pageSize: number, shown: number, total: { count: number; atLeast: boolean }): string {
  if (shown === 0) return 'No one found';
  const first = (page - 1) * pageSize + 1;
  const last = first + shown - 1;
  const of = total.atLeast ? `more than ${total.count.toLocaleString('en-GB')}` : total.count.toLocaleString('en-GB');
  if (!total.atLeast && total.count === shown && page === 1) return `${shown} ${shown === 1 ? 'person' : 'people'} found`;
  return `${first.toLocaleString('en-GB')}–${last.toLocaleString('en-GB')} of ${of} people`;
}

/** The last page that can be reached: never past the count's cap. */
export function lastPage(pageSize: number, total: { count: number; atLeast: boolean }): number {
  return Math.max(1, Math.ceil(total.count / pageSize));
}

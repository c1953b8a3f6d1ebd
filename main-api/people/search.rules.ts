// Interprets what a person typed into the one search box. Pure: no database.
import { AppError, fieldError } from '../contract/result';
import { checkNhsNumber, formatNhsNumber } from '../shared/identifiers/nhs-number';
import { normalisePostcodePrefix } from '../shared/identifiers/postcode';
import { formatLongDate, parseEnteredDate } from '../shared/calendar/dates';

export type SearchQuery =
  | { kind: 'nhs-number'; nhsNumber: string }
  | { kind: 'surname-dob'; surname: string; givenName: string | null; dateOfBirth: string }
  | { kind: 'name-postcode'; name: string; postcode: PostcodeMatch }
  | { kind: 'name'; surname: string; givenName: string | null };

type PostcodeMatch = { level: 'full'; value: string } | { level: 'sector'; value: string } | { level: 'district'; value: string };

/** Words that are meant as a date (read by the one calendar, main-api/shared/calendar). */
const DATE_WORD = /^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2})$/;
const FULL_POSTCODE = /^[A-Z]{1,2}[0-9][0-9A-Z]?\s?[0-9][A-Z]{2}$/i;
const OUTWARD = /^[A-Z]{1,2}[0-9][0-9A-Z]?$/i;
const SECTOR_DIGIT = /^[0-9]$/;

function parseDate(token: string, today: string): string | null {
  if (!DATE_WORD.test(token)) return null;
  const iso = parseEnteredDate(token, today);
  if (iso === null) throw new AppError('VALIDATION', `${token} is not a real date.`);
  return iso;
}

const cleanName = (s: string): string => s.replace(/[^\p{L}'\- ]/gu, '').trim();

function splitName(words: string[]): { surname: string; givenName: string | null } {
  if (words.length === 0) throw new AppError('VALIDATION', 'Add a surname to search with.');
  // "Smith, John" or "John Smith": the last word is the surname unless a comma says otherwise.
  const joined = words.join(' ');
  if (joined.includes(',')) {
    const [family, given] = joined.split(',', 2);
    return { surname: cleanName(family ?? ''), givenName: cleanName(given ?? '') || null };
  }
  if (words.length === 1) return { surname: cleanName(words[0]!), givenName: null };
  return { surname: cleanName(words[words.length - 1]!), givenName: cleanName(words.slice(0, -1).join(' ')) || null };
}

/** today: England's date, against which a typed date is read. */
export function parseSearch(text: string, today: string): SearchQuery {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const digitsOnly = trimmed.replace(/[\s-]/g, '');
  if (/^\d+$/.test(digitsOnly) && !DATE_WORD.test(trimmed)) {
    const check = checkNhsNumber(trimmed);
    if (!check.valid) throw fieldError('nhsNumber', check.message, check.reason);
    return { kind: 'nhs-number', nhsNumber: check.value };
  }

  const words = trimmed.split(' ');
  const dateIndex = words.findIndex((w) => DATE_WORD.test(w));
  if (dateIndex >= 0) {
    const dateOfBirth = parseDate(words[dateIndex]!, today)!;
    const name = splitName(words.filter((_, i) => i !== dateIndex));
    if (!name.surname) throw new AppError('VALIDATION', 'Add a surname before or after the date of birth.');
    return { kind: 'surname-dob', surname: name.surname, givenName: name.givenName, dateOfBirth };
  }

  // A postcode at the end: full ("ME14 1XX"), sector ("ME14 1") or district ("ME14").
  const postcode = trailingPostcode(words);
  if (postcode) {
    const name = cleanName(words.slice(0, words.length - postcode.words).join(' '));
    if (!name) throw new AppError('VALIDATION', 'Add part of a name to search within a postcode.');
    return { kind: 'name-postcode', name, postcode: postcode.match };
  }

  const name = splitName(words);
  if (name.surname.length < 2) throw new AppError('VALIDATION', 'Type at least two letters of a surname.');
  return { kind: 'name', ...name };
}

function trailingPostcode(words: string[]): { match: PostcodeMatch; words: number } | null {
  const last = words[words.length - 1] ?? '';
  const prev = words[words.length - 2] ?? '';
  if (words.length >= 3 && OUTWARD.test(prev) && /^[0-9][A-Z]{2}$/i.test(last)) {
    return { match: { level: 'full', value: normalisePostcodePrefix(prev + last) }, words: 2 };
  }
  if (words.length >= 2 && FULL_POSTCODE.test(last)) {
    return { match: { level: 'full', value: normalisePostcodePrefix(last) }, words: 1 };
  }
  if (words.length >= 3 && OUTWARD.test(prev) && /\d/.test(prev) && SECTOR_DIGIT.test(last)) {
    return { match: { level: 'sector', value: `${prev.toUpperCase()} ${last}` }, words: 2 };
  }
  if (words.length >= 2 && OUTWARD.test(last) && /\d/.test(last)) {
    return { match: { level: 'district', value: last.toUpperCase() }, words: 1 };
  }
  return null;
}

export function describeSearch(q: SearchQuery): string {
  switch (q.kind) {
    case 'nhs-number':
      return `NHS number ${formatNhsNumber(q.nhsNumber)}`;
    case 'surname-dob':
      return `Surname ${q.surname.toUpperCase()}${q.givenName ? `, given name starting ${q.givenName}` : ''}, born ${formatLongDate(q.dateOfBirth)}`;
    case 'name-postcode':
      return `Name starting "${q.name}" in postcode ${q.postcode.level === 'full' ? q.postcode.value : `${q.postcode.value}…`}`;
    case 'name':
      return `Surname starting ${q.surname.toUpperCase()}${q.givenName ? `, given name starting ${q.givenName}` : ''}`;
  }
}

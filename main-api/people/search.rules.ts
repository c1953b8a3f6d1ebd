// Interprets what a person typed into the one search box. Pure: no database.
import { AppError, fieldError } from '../contract/result';
import { checkNhsNumber, formatNhsNumber } from '../shared/identifiers/nhs-number';
import { normalisePostcodePrefix } from '../shared/identifiers/postcode';
import { formatLongDate, parseEnteredDate } from '../shared/calendar/dates';

export type SearchQuery =
  | { kind: 'nhs-number'; nhsNumber: string }
  | { kind: 'surname-dob'; surname: string; givenName: string | null; dateOfBirth: string }
  | { kind: 'name-postcode'; name: string; postcode: PostcodeMatch }
  | { kind: 'postcode'; postcode: PostcodeMatch }
  | { kind: 'name'; surname: string; givenName: string | null };

type PostcodeMatch = { level: 'full'; value: string } | { level: 'sector'; value: string } | { level: 'district'; value: string };

// What a date of birth looks like when typed as one word (26/02/21, 26-02-2021, 26022021,
// 260221, 2021-02-26) or as three ('26 Feb 2021'). Reading it is the calendar's job.
const DATE_WORD = /^(\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2}|\d{6}|\d{8})$/;
const DAY_WORD = /^\d{1,2}(st|nd|rd|th)?$/i;
const MONTH_WORD = /^\p{L}{3,},?$/u;
const YEAR_WORD = /^(\d{2}|\d{4})$/;
const FULL_POSTCODE = /^[A-Z]{1,2}[0-9][0-9A-Z]?\s?[0-9][A-Z]{2}$/i;
const OUTWARD = /^[A-Z]{1,2}[0-9][0-9A-Z]?$/i;
const INWARD = /^[0-9][A-Z]{2}$/i;
const SECTOR_DIGIT = /^[0-9]$/;

/** The date of birth among the words, as where it sits and its ISO day; null when none. */
function findDate(words: string[], today: string): { at: number; length: number; iso: string } | null {
  for (let i = 0; i < words.length; i++) {
    const spelled = words.slice(i, i + 3);
    if (spelled.length === 3 && DAY_WORD.test(spelled[0]!) && MONTH_WORD.test(spelled[1]!) && YEAR_WORD.test(spelled[2]!)) {
      return { at: i, length: 3, iso: readDate(spelled.join(' ').replace(',', ''), today) };
    }
    if (DATE_WORD.test(words[i]!)) return { at: i, length: 1, iso: readDate(words[i]!, today) };
  }
  return null;
}

function readDate(text: string, today: string): string {
  const iso = parseEnteredDate(text, today);
  if (iso === null) throw new AppError('VALIDATION', `${text} is not a real date.`);
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
  // Digits alone are an NHS number, unless they read as a date (26022021), which needs a name.
  const digitsAreDate = /^\d+$/.test(digitsOnly) && digitsOnly.length !== 10 && parseEnteredDate(trimmed, today) !== null;
  if (/^\d+$/.test(digitsOnly) && !digitsAreDate) {
    const check = checkNhsNumber(trimmed);
    if (!check.valid) throw fieldError('nhsNumber', check.message, check.reason);
    return { kind: 'nhs-number', nhsNumber: check.value };
  }

  const words = trimmed.split(' ');
  const date = findDate(words, today);
  if (date) {
    const rest = words.filter((_, i) => i < date.at || i >= date.at + date.length);
    if (rest.length === 0)
      throw new AppError('VALIDATION', 'Add a surname, or the first letters of it, before or after the date of birth.');
    const name = splitName(rest);
    if (!name.surname) throw new AppError('VALIDATION', 'Add a surname, or the first letters of it, before or after the date of birth.');
    return { kind: 'surname-dob', surname: name.surname, givenName: name.givenName, dateOfBirth: date.iso };
  }
  // A postcode alone: full ("ME14 1QR") or sector ("ME14 1"). A district alone covers tens of
  // thousands of people, so it needs part of a name with it.
  const alone = postcodeAlone(words);
  if (alone) return { kind: 'postcode', postcode: alone };
  if (words.length === 1 && OUTWARD.test(words[0]!) && /\d/.test(words[0]!)) {
    throw new AppError(
      'VALIDATION',
      `Add part of a name, or the sector digit (for example ${words[0]!.toUpperCase()} 1), to search in ${words[0]!.toUpperCase()}.`,
    );
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

function postcodeAlone(words: string[]): PostcodeMatch | null {
  const joined = words.join(' ');
  if (words.length <= 2 && FULL_POSTCODE.test(joined)) return { level: 'full', value: normalisePostcodePrefix(joined) };
  if (words.length === 2 && OUTWARD.test(words[0]!) && /\d/.test(words[0]!) && SECTOR_DIGIT.test(words[1]!)) {
    return { level: 'sector', value: `${words[0]!.toUpperCase()} ${words[1]}` };
  }
  return null;
}

function trailingPostcode(words: string[]): { match: PostcodeMatch; words: number } | null {
  const last = words[words.length - 1] ?? '';
  const prev = words[words.length - 2] ?? '';
  if (words.length >= 3 && OUTWARD.test(prev) && INWARD.test(last)) {
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
      return `Surname starting ${q.surname.toUpperCase()}${q.givenName ? `, given name starting ${q.givenName}` : ''}, born ${formatLongDate(q.dateOfBirth)}`;
    case 'name-postcode':
      return `Name starting "${q.name}" in postcode ${postcodeText(q.postcode)}`;
    case 'postcode':
      return `Everyone in postcode ${postcodeText(q.postcode)}`;
    case 'name':
      return `Surname starting ${q.surname.toUpperCase()}${q.givenName ? `, given name starting ${q.givenName}` : ''}`;
  }
}

const postcodeText = (p: PostcodeMatch): string => (p.level === 'full' ? p.value : `${p.value}…`);

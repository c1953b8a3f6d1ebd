// The review screen's logic: the details sent and each candidate's, row by row, each cell saying
// whether it agrees with what was sent (the same points the matcher gave, so the screen and the
// decision cannot disagree), and words for the matcher's findings.
import type { ReviewCandidate, ReviewItem } from '../../../../main-api/contract/exchange';
import { formatShortDate, yearGroupLabel } from '../../../../main-api/shared/calendar/dates';
import { GENDER_LABELS, type GenderCode } from '../../../../main-api/shared/vocabulary/people';
import { formatNhsNumber } from '../../platform/format';

export type Agreement = 'agrees' | 'partly' | 'differs' | 'unknown';

export interface ComparisonRow {
  key: 'nhsNumber' | 'familyName' | 'givenName' | 'dateOfBirth' | 'genderCode' | 'postcode' | 'school' | 'yearGroup';
  label: string;
  sent: string;
  candidates: { text: string; agreement: Agreement }[];
}

const gender = (code: string | null | undefined): string => GENDER_LABELS[(code ?? '0') as GenderCode] ?? code ?? '';

function byPoints(points: number, full: number): Agreement {
  if (points >= full) return 'agrees';
  if (points > 0) return 'partly';
  return 'differs';
}

/** One row per detail: what was sent beside what each candidate has. */
export function comparisonRows(item: ReviewItem): ComparisonRow[] {
  const s = item.incoming;
  const c = item.candidates;
  // A class list sends no sex; it sends a school and year group, which a candidate may differ
  // in without being someone else (a school move, a year held back): shown, never scored.
  const list = item.classList;
  if (list) {
    const details = personRows(s, c).filter((r) => r.key !== 'genderCode');
    return [
      ...details,
      {
        key: 'school',
        label: 'School',
        sent: `${list.schoolName ?? 'School'} (${list.schoolUrn})`,
        candidates: c.map((x) => ({
          text: x.schoolUrn ? `${x.schoolName ?? 'School'} (${x.schoolUrn})` : 'None',
          agreement: !x.schoolUrn ? 'unknown' : x.schoolUrn === list.schoolUrn ? 'agrees' : 'differs',
        })),
      },
      {
        key: 'yearGroup',
        label: 'Year group',
        sent: yearGroupLabel(list.yearGroup),
        candidates: c.map((x) => ({
          text: x.yearGroup === null || x.yearGroup === undefined ? 'None' : yearGroupLabel(x.yearGroup),
          agreement: x.yearGroup === null || x.yearGroup === undefined ? 'unknown' : x.yearGroup === list.yearGroup ? 'agrees' : 'differs',
        })),
      },
    ];
  }
  return personRows(s, c);
}

function personRows(s: ReviewItem['incoming'], c: ReviewCandidate[]): ComparisonRow[] {
  return [
    {
      key: 'nhsNumber',
      label: 'NHS number',
      sent: s.nhsNumber ? formatNhsNumber(s.nhsNumber) : 'Not sent',
      candidates: c.map((x) => ({
        text: formatNhsNumber(x.nhsNumber),
        agreement: x.nhs === 'same' ? 'agrees' : x.nhs === 'absent' ? 'unknown' : 'differs',
      })),
    },
    {
      key: 'familyName',
      label: 'Family name',
      sent: s.familyName,
      candidates: c.map((x) => ({ text: x.familyName, agreement: byPoints(x.parts.familyName, 25) })),
    },
    {
      key: 'givenName',
      label: 'Given name',
      sent: s.givenName,
      candidates: c.map((x) => ({ text: x.givenName, agreement: byPoints(x.parts.givenName, 20) })),
    },
    {
      key: 'dateOfBirth',
      label: 'Date of birth',
      sent: formatShortDate(s.dateOfBirth),
      candidates: c.map((x) => ({ text: formatShortDate(x.dateOfBirth), agreement: byPoints(x.parts.dateOfBirth, 30) })),
    },
    {
      key: 'genderCode',
      label: 'Sex',
      sent: gender(s.genderCode),
      candidates: c.map((x) => ({
        text: gender(x.genderCode),
        agreement: x.parts.gender > 0 ? 'agrees' : x.parts.gender < 0 ? 'differs' : 'unknown',
      })),
    },
    {
      key: 'postcode',
      label: 'Postcode',
      sent: s.postcode ?? 'Not sent',
      candidates: c.map((x) => ({ text: x.postcode ?? 'None', agreement: s.postcode ? byPoints(x.parts.postcode, 20) : 'unknown' })),
    },
  ];
}

export const AGREEMENT_WORDS: Record<Agreement, string> = {
  agrees: 'agrees',
  partly: 'partly agrees',
  differs: 'differs',
  unknown: 'cannot be compared',
};

/** What the review list says of an item: the vaccine and date, or the school and year group. */
export function itemSummary(item: ReviewItem): string {
  if (item.classList)
    return `Class list: ${item.classList.schoolName ?? item.classList.schoolUrn}, ${yearGroupLabel(item.classList.yearGroup)}`;
  if (item.event) return `${item.event.productName ?? 'Vaccine'}, ${formatShortDate(item.event.occurredOn)}`;
  return '';
}

/** What a reviewer should know about a candidate before attaching. */
export function candidateWarnings(c: ReviewCandidate): string[] {
  const w: string[] = [];
  if (c.twin)
    w.push('Another person born the same day at the same address or with the same surname: a twin or sibling. Check the given name.');
  if (c.nhs === 'different') w.push('The NHS number sent is a different person’s.');
  if (c.nhs === 'invalid') w.push('The NHS number sent fails its check digit.');
  if (c.parts.gender < 0) w.push('The sex sent differs.');
  return w;
}

/** "92 of 100" for the candidate's points. */
export const pointsLabel = (c: ReviewCandidate): string => `${Math.max(0, c.points)} of 100`;

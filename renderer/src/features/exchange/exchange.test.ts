import { describe, expect, it } from 'vitest';
import type { ReviewItem } from '../../../../main-api/contract/exchange';
import { candidateWarnings, comparisonRows, itemSummary } from './exchange';

const item: ReviewItem = {
  id: 1,
  kind: 'VACCINATION',
  classList: null,
  sourceSystem: 'https://supplier.example/v',
  sourceId: 'x',
  incoming: { nhsNumber: null, familyName: 'Okafor', givenName: 'Ava', dateOfBirth: '2019-06-10', genderCode: '2', postcode: 'ME15 6AB' },
  event: {
    occurredOn: '2021-03-01',
    productCode: '1',
    productName: 'MMR',
    outcome: 'GIVEN',
    doseSequence: 1,
    batchNumber: null,
    locationCode: null,
    performerName: null,
  },
  reason: 'No NHS number',
  receivedAt: '2026-10-05T10:00:00Z',
  status: 'PENDING',
  personId: null,
  eventId: null,
  candidates: [
    {
      personId: 2,
      nhsNumber: '9990000026',
      familyName: 'Okafor',
      givenName: 'Ava',
      dateOfBirth: '2019-06-10',
      genderCode: '2',
      postcode: 'ME15 6AB',
      practiceCode: null,
      points: 100,
      nhs: 'absent',
      twin: true,
      parts: { familyName: 25, givenName: 20, dateOfBirth: 30, gender: 5, postcode: 20 },
    },
    {
      personId: 3,
      nhsNumber: '9990000034',
      familyName: 'Okafor',
      givenName: 'Isla',
      dateOfBirth: '2019-06-10',
      genderCode: '2',
      postcode: 'ME15 6AB',
      practiceCode: null,
      points: 80,
      nhs: 'absent',
      twin: true,
      parts: { familyName: 25, givenName: 0, dateOfBirth: 30, gender: 5, postcode: 20 },
    },
  ],
};

describe('the side-by-side comparison', () => {
  it('marks each detail of each candidate against what was sent', () => {
    const rows = comparisonRows(item);
    const given = rows.find((r) => r.key === 'givenName')!;
    expect(given.candidates.map((c) => c.agreement)).toEqual(['agrees', 'differs']);
    expect(rows.find((r) => r.key === 'nhsNumber')!.sent).toBe('Not sent');
    expect(rows.find((r) => r.key === 'dateOfBirth')!.sent).toBe('10/06/2019');
  });

  it('warns of twins', () => {
    expect(candidateWarnings(item.candidates[1]!)[0]).toMatch(/twin/);
  });
});

describe('a class-list row beside its candidates', () => {
  const row: ReviewItem = {
    ...item,
    kind: 'CLASS_LIST',
    event: null,
    incoming: { ...item.incoming, genderCode: '0' },
    classList: { schoolUrn: '136102', schoolName: 'Vale School', yearGroup: 8, parents: [], importId: 4, rowNo: 3, fileName: 'vale.csv' },
    candidates: [
      { ...item.candidates[0]!, schoolUrn: '136101', schoolName: 'Hill Academy', yearGroup: 8 },
      { ...item.candidates[1]!, schoolUrn: null, yearGroup: null },
    ],
  };

  it('compares the school and year group instead of a sex the school did not send', () => {
    const rows = comparisonRows(row);
    expect(rows.map((r) => r.key)).toEqual(['nhsNumber', 'familyName', 'givenName', 'dateOfBirth', 'postcode', 'school', 'yearGroup']);
    const school = rows.find((r) => r.key === 'school')!;
    expect(school.sent).toBe('Vale School (136102)');
    expect(school.candidates.map((c) => [c.text, c.agreement])).toEqual([
      ['Hill Academy (136101)', 'differs'],
      ['None', 'unknown'],
    ]);
    expect(rows.find((r) => r.key === 'yearGroup')!.candidates.map((c) => c.agreement)).toEqual(['agrees', 'unknown']);
  });

  it('is listed by its school and year group', () => {
    expect(itemSummary(row)).toBe('Class list: Vale School, Year 8');
    expect(itemSummary(item)).toBe('MMR, 01/03/2021');
  });
});

import { describe, expect, it } from 'vitest';
import type { VaccinationHistory } from '../contract/vaccination';
import { sampleVaccinationEvent } from '../../tests/support/vaccination-event';
import { dueNextFor, toPrintableInput } from './printable-record.service';

const base = sampleVaccinationEvent({
  personId: 7,
  product: { code: 'P1', name: 'MMRvaxPRO', shortName: 'MMRvaxPRO', vaccineType: 'MMR' },
  antigens: ['MEASLES', 'MUMPS'],
  batchId: 3,
  batchNumber: 'AB1',
  expiryDate: '2026-01-01',
  site: { code: '61396006', term: 'Left thigh structure' },
  doseAmount: 0.5,
  performer: { name: 'Jo Nurse', role: null },
  legalBasis: 'PGD',
  sourceId: 'x1',
});

describe('toPrintableInput', () => {
  it('prints only active events, splits given and not given, and names antigens', () => {
    const history: VaccinationHistory = {
      events: [
        base,
        { ...base, id: 2, status: 'SUPERSEDED', batchNumber: 'OLD' },
        { ...base, id: 3, outcome: 'NOT_GIVEN', notGivenReason: 'DECLINED', product: null, antigens: [] },
        { ...base, id: 4, primarySource: false, sourceSystem: 'GP system', occurredOn: '2024-12-01' },
      ],
      reactions: [
        {
          id: 1,
          personId: 7,
          eventId: 1,
          onsetAt: '2025-01-12T14:00:00Z',
          reactionCode: 'FEVER',
          description: null,
          seriousness: 'NOT_SERIOUS',
          outcome: 'RECOVERED',
          reporter: 'Parent',
          reportedToMhra: false,
          yellowCardReference: null,
          recordedBy: 'n',
          recordedAt: 'x',
        },
        {
          id: 2,
          personId: 7,
          eventId: 2,
          onsetAt: '2025-01-12T14:00:00Z',
          reactionCode: 'RASH',
          description: null,
          seriousness: 'NOT_SERIOUS',
          outcome: 'RECOVERED',
          reporter: 'Parent',
          reportedToMhra: false,
          yellowCardReference: null,
          recordedBy: 'n',
          recordedAt: 'x',
        },
      ],
    };
    const input = toPrintableInput({
      issuedOn: '2025-02-01',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'Zoë', familyName: 'Ng', dateOfBirth: '2024-01-10', postcode: 'ME14 1AA' },
      addressLines: ['1 High Street'],
      history,
      dueNext: [],
    });
    expect(input.given.map((g) => g.batchNumber)).toEqual(['AB1', 'AB1']);
    expect(input.given[0]).toMatchObject({ antigens: ['Measles', 'Mumps'], source: 'HERE', sourceName: null, site: 'Left thigh' });
    expect(input.given[1]).toMatchObject({ source: 'REPORTED', sourceName: 'GP system' });
    expect(input.notGiven).toEqual([{ date: '2025-01-12', product: null, reason: 'DECLINED' }]);
    expect(input.reactions).toEqual([
      { onset: '2025-01-12', reaction: 'FEVER', description: null, seriousness: 'NOT_SERIOUS', outcome: 'RECOVERED' },
    ]);
  });
});

describe('dueNextFor', () => {
  it('keeps due and overdue, and upcoming only within a year', () => {
    const series: Parameters<typeof dueNextFor>[0] = [
      { name: 'MMR(V)', status: 'DUE', dueDate: '2026-10-01' },
      { name: '6-in-1', status: 'OVERDUE', dueDate: '2026-05-01' },
      { name: 'Pre-school booster', status: 'UPCOMING', dueDate: '2027-11-21' },
      { name: 'HPV', status: 'UPCOMING', dueDate: '2038-09-01' },
      { name: 'Shingles', status: 'UPCOMING', dueDate: '2091-08-13' },
      { name: 'Rotavirus', status: 'COMPLETE', dueDate: null },
    ];
    expect(dueNextFor(series, '2026-11-21').map((s) => s.series)).toEqual(['MMR(V)', '6-in-1', 'Pre-school booster']);
  });
});

describe('reaction onset on the printed record', () => {
  it('is the date in England, not in UTC', () => {
    const input = toPrintableInput({
      issuedOn: '2026-06-10',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'A', familyName: 'B', dateOfBirth: '2024-01-10', postcode: null },
      addressLines: [],
      history: {
        events: [base],
        reactions: [
          {
            id: 1,
            personId: 7,
            eventId: 1,
            onsetAt: '2026-06-03T23:30:00.000Z',
            reactionCode: 'FEVER',
            description: null,
            seriousness: 'NOT_SERIOUS',
            outcome: 'RECOVERED',
            reporter: 'Parent',
            reportedToMhra: false,
            yellowCardReference: null,
            recordedBy: 'n',
            recordedAt: 'x',
          },
        ],
      },
      dueNext: [],
    });
    expect(input.reactions[0]?.onset).toBe('2026-06-04');
  });
});

describe('sites and reactions on the printed record', () => {
  const printed = (history: VaccinationHistory) =>
    toPrintableInput({
      issuedOn: '2026-06-10',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'A', familyName: 'B', dateOfBirth: '2024-01-10', postcode: null },
      addressLines: [],
      history,
      dueNext: [],
    });

  it('names a listed site in plain words and keeps another system’s own term for any other', () => {
    const input = printed({
      events: [
        { ...base, site: { code: '368209003', term: 'Right upper arm structure' } },
        { ...base, id: 5, site: { code: '91775009', term: 'Left shoulder region structure' } },
      ],
      reactions: [],
    });
    expect(input.given.map((g) => g.site)).toEqual(['Right upper arm', 'Left shoulder region structure']);
  });

  it('passes the reaction code and what the reporter wrote, for the document to word', () => {
    const input = printed({
      events: [base],
      reactions: [
        {
          id: 1,
          personId: 7,
          eventId: 1,
          onsetAt: '2026-06-03T10:00:00.000Z',
          reactionCode: 'OTHER',
          description: 'Swollen leg',
          seriousness: 'NOT_SERIOUS',
          outcome: 'RECOVERING',
          reporter: 'Parent',
          reportedToMhra: false,
          yellowCardReference: null,
          recordedBy: 'n',
          recordedAt: 'x',
        },
      ],
    });
    expect(input.reactions).toEqual([
      { onset: '2026-06-03', reaction: 'OTHER', description: 'Swollen leg', seriousness: 'NOT_SERIOUS', outcome: 'RECOVERING' },
    ]);
  });
});

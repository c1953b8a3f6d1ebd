import { describe, expect, it } from 'vitest';
import type { VaccinationEvent, VaccinationHistory } from '../contract/vaccination';
import { toPrintableInput } from './printable-service';

const base: VaccinationEvent = {
  id: 1, personId: 7, programmeCode: 'ROUTINE_CHILDHOOD', programmeName: 'Routine childhood', outcome: 'GIVEN',
  notGivenReason: null, occurredAt: null, occurredOn: '2025-01-12', doseSequence: 1,
  product: { code: 'P1', name: 'MMRvaxPRO', shortName: 'MMRvaxPRO', vaccineType: 'MMR' },
  antigens: ['MEASLES', 'MUMPS'], batchId: 3, batchNumber: 'AB1', expiryDate: '2026-01-01',
  site: { code: '1', term: 'Left thigh' }, route: null, doseAmount: 0.5, doseUnit: null,
  performer: { name: 'Jo Nurse', role: null }, location: null, organisationCode: null, legalBasis: 'PGD',
  primarySource: true, sourceSystem: 'IMS', sourceId: 'x1', notes: null, recordedBy: 'nurse', recordedAt: '2025-01-12T10:00:00Z',
  status: 'ACTIVE', supersedesId: null, supersededById: null, changeReason: null, statusReason: null, statusChangedBy: null, statusChangedAt: null,
};

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
        { id: 1, personId: 7, eventId: 1, onsetAt: '2025-01-12T14:00:00Z', reactionCode: 'FEVER', description: null, seriousness: 'NOT_SERIOUS', outcome: 'RECOVERED', reporter: 'Parent', reportedToMhra: false, yellowCardReference: null, recordedBy: 'n', recordedAt: 'x' },
        { id: 2, personId: 7, eventId: 2, onsetAt: '2025-01-12T14:00:00Z', reactionCode: 'RASH', description: null, seriousness: 'NOT_SERIOUS', outcome: 'RECOVERED', reporter: 'Parent', reportedToMhra: false, yellowCardReference: null, recordedBy: 'n', recordedAt: 'x' },
      ],
    };
    const input = toPrintableInput({
      issuedOn: '2025-02-01',
      issuer: { name: 'Alpha Surgery', code: 'G82001' },
      person: { nhsNumber: '9990000018', givenName: 'Zoë', familyName: 'Ng', dateOfBirth: '2024-01-10', postcode: 'ME14 1AA' },
      addressLines: ['1 High Street'],
      history,
      antigenNames: new Map([['MEASLES', 'Measles'], ['MUMPS', 'Mumps']]),
      dueNext: [],
    });
    expect(input.given.map((g) => g.batchNumber)).toEqual(['AB1', 'AB1']);
    expect(input.given[0]).toMatchObject({ antigens: ['Measles', 'Mumps'], source: 'HERE', sourceName: null, site: 'Left thigh' });
    expect(input.given[1]).toMatchObject({ source: 'REPORTED', sourceName: 'GP system' });
    expect(input.notGiven).toEqual([{ date: '2025-01-12', product: null, reason: 'Declined' }]);
    expect(input.reactions).toEqual([{ onset: '2025-01-12', reaction: 'FEVER', seriousness: 'NOT_SERIOUS', outcome: 'RECOVERED' }]);
  });
});

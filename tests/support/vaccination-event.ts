// A plausible vaccination event for tests on both sides of the boundary (services, documents,
// renderer logic): every field set, so each test states only what it is about.
import type { z } from 'zod';
import type { AdverseReaction, RecordVaccinationInput, VaccinationEvent } from '../../main-api/contract/vaccination';

/** What a caller sends to vaccination.record, before the contract fills in its defaults. */
type RecordInput = z.input<typeof RecordVaccinationInput>;

export function sampleVaccinationEvent(over: Partial<VaccinationEvent> = {}): VaccinationEvent {
  const id = over.id ?? 1;
  return {
    id,
    personId: 1,
    programmeCode: 'ROUTINE_CHILDHOOD',
    programmeName: 'Routine childhood immunisation',
    outcome: 'GIVEN',
    notGivenReason: null,
    occurredAt: null,
    occurredOn: '2025-01-12',
    doseSequence: 1,
    product: { code: '13968211000001108', name: 'MMRvaxPRO', shortName: 'MMRvaxPRO', vaccineType: 'MMR' },
    antigens: ['MEASLES', 'MUMPS', 'RUBELLA'],
    batchId: null,
    batchNumber: null,
    expiryDate: null,
    site: null,
    route: null,
    doseAmount: null,
    doseUnit: null,
    performer: null,
    location: null,
    organisationCode: null,
    legalBasis: null,
    primarySource: true,
    reportedBy: null,
    sourceSystem: 'IMS',
    sourceId: String(id),
    notes: null,
    recordedBy: 'nurse',
    recordedAt: '2025-01-12T10:00:00Z',
    status: 'ACTIVE',
    supersedesId: null,
    supersededById: null,
    changeReason: null,
    statusReason: null,
    statusChangedBy: null,
    statusChangedAt: null,
    ...over,
  };
}

/** A plausible adverse reaction, a mild fever reported by a parent, against event 1 of person 1. */
export function sampleAdverseReaction(over: Partial<AdverseReaction> = {}): AdverseReaction {
  return {
    id: 1,
    personId: 1,
    eventId: 1,
    onsetAt: '2025-01-12T14:00:00Z',
    reactionCode: 'FEVER',
    description: null,
    seriousness: 'NOT_SERIOUS',
    outcome: 'RECOVERED',
    reporter: 'Parent',
    reportedToMhra: false,
    yellowCardReference: null,
    recordedBy: 'nurse',
    recordedAt: '2025-01-12T16:00:00Z',
    ...over,
  };
}

/**
 * The input of vaccination.record for a first dose given here by a nurse under a PGD, into the
 * left thigh: the tests that only need "a dose was recorded" name the person, product, batch
 * and day.
 */
export function givenHereInput(
  personId: number,
  productCode: string,
  batchNumber: string,
  occurredOn: string,
  over: Partial<RecordInput> = {},
): RecordInput {
  return {
    personId,
    programmeCode: 'ROUTINE_CHILDHOOD',
    outcome: 'GIVEN',
    occurredOn,
    doseSequence: 1,
    productCode,
    batch: { batchNumber },
    site: { code: '61396006', term: 'Left thigh' },
    performer: { name: 'Jo Nurse', role: 'Registered nurse' },
    legalBasis: 'PGD',
    ...over,
  };
}

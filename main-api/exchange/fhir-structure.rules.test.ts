// The exporter's bundles conform to the R4 definitions of what they carry, and the structural
// check catches what R4 forbids (missing required elements, wrong cardinality, codes outside a
// required value set, references that do not resolve).
import { describe, expect, it } from 'vitest';
import { buildBundle, type ExportEvent } from './fhir-export.rules';
import { checkBundle } from './fhir-structure.rules';
import { parseFhirImmunizations } from './fhir-import.rules';

// A bundle opened up for spoiling: any element may be read and replaced.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reaches into arbitrary JSON
type Entry = { fullUrl: string; resource: any };
type Spoilable = { entry: [Entry, Entry, Entry, Entry] };

let n = 0;
const options = {
  includeNotGiven: true,
  includeReactions: true,
  newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  timestamp: '2026-10-05T10:00:00Z',
};

const person = {
  id: 1,
  nhsNumber: '9990000018',
  givenName: 'Sarah Jane',
  familyName: 'Taylor',
  dateOfBirth: '2020-02-28',
  genderCode: '2',
  postcode: 'ME14 1XX',
  practiceCode: 'G82001',
};
const given: ExportEvent = {
  id: 10,
  person_id: 1,
  outcome: 'GIVEN',
  not_given_reason: null,
  occurred_at: '2021-03-01T10:30:00Z',
  occurred_on: '2021-03-01',
  recorded_at: '2021-03-01T10:35:00.123Z',
  dose_sequence: 1,
  product_code: '13968211000001108',
  product_name: 'M-M-RVAXPRO',
  procedure_code: '38598009',
  procedure_term: 'MMR dose 1',
  batch_number: 'AB1',
  expiry_date: '2022-01-01',
  site_code: '368208006',
  site_term: 'Left upper arm structure',
  route_code: '78421000',
  route_term: 'Intramuscular route',
  dose_amount: '0.500',
  dose_unit_code: '258773002',
  dose_unit_term: 'Millilitre',
  performer_name: 'Jo Nurse',
  location_code: 'G82001',
  location_type: 'ODS',
  organisation_code: 'G82001',
  primary_source: true,
  source_system: 'IMS',
  source_id: 'e-10',
  status: 'ACTIVE',
};
const notGiven: ExportEvent = {
  ...given,
  id: 11,
  outcome: 'NOT_GIVEN',
  not_given_reason: 'CONTRAINDICATED',
  product_code: null,
  product_name: null,
  procedure_code: null,
  batch_number: null,
  expiry_date: null,
  dose_amount: null,
  dose_unit_code: null,
  dose_unit_term: null,
  source_id: 'e-11',
};
const reaction = {
  id: 1,
  person_id: 1,
  vaccination_event_id: 10,
  onset_at: '2021-03-01T15:00:00Z',
  reaction_code: 'FEVER' as const,
  description: null,
  seriousness: 'HOSPITALISED',
  outcome: 'RECOVERED',
};

describe('FHIR R4 export', () => {
  const b = buildBundle(
    { persons: [person], events: [given, notGiven, { ...given, id: 12, status: 'SUPERSEDED' }], reactions: [reaction] },
    options,
  );

  it('conforms, with a not-done dose and a linked AdverseEvent', () => {
    expect(checkBundle(b)).toEqual([]);
    expect(b.entry.map((e) => e.resource.resourceType)).toEqual(['Patient', 'Immunization', 'AdverseEvent', 'Immunization']);
    expect(b.entry[3]!.resource).toMatchObject({ status: 'not-done', vaccineCode: { text: 'Vaccine not recorded' } });
  });

  it('leaves out not-given doses and reactions for the national service', () => {
    const national = buildBundle(
      { persons: [person], events: [given, notGiven], reactions: [reaction] },
      { ...options, includeNotGiven: false, includeReactions: false },
    );
    expect(national.entry.map((e) => e.resource.resourceType)).toEqual(['Patient', 'Immunization']);
    expect(checkBundle(national)).toEqual([]);
  });

  it('reads back through the importer as the same event', () => {
    const imm = structuredClone(b.entry[1]!.resource) as Record<string, unknown>;
    imm.contained = [{ ...(b.entry[0]!.resource as object), id: 'p' }];
    imm.patient = { reference: '#p' };
    const r = parseFhirImmunizations(imm, '2026-10-05');
    expect(r.ok && r.items[0]!.event).toMatchObject({
      product_code: given.product_code,
      batch_number: 'AB1',
      dose_sequence: 1,
      site_code: '368208006',
      occurred_on: '2021-03-01',
    });
  });

  it.each([
    ['a missing required element', (x: Spoilable) => delete x.entry[1].resource.status, 'Bundle.entry[1].resource.status', /Required/],
    [
      'a code outside the required value set',
      (x: Spoilable) => (x.entry[1].resource.status = 'given'),
      'Bundle.entry[1].resource.status',
      /value set/,
    ],
    [
      'a single value where R4 has a list',
      (x: Spoilable) => (x.entry[0].resource.name = x.entry[0].resource.name[0]),
      'Bundle.entry[0].resource.name',
      /array/,
    ],
    [
      'a list where R4 has one value',
      (x: Spoilable) => (x.entry[1].resource.site = [x.entry[1].resource.site]),
      'Bundle.entry[1].resource.site',
      /single value/,
    ],
    [
      'an element R4 does not have',
      (x: Spoilable) => (x.entry[1].resource.batch = 'AB1'),
      'Bundle.entry[1].resource.batch',
      /Not an element/,
    ],
    ['a malformed date', (x: Spoilable) => (x.entry[0].resource.birthDate = '28/02/2020'), 'Bundle.entry[0].resource.birthDate', /date/],
    [
      'a reference that does not resolve',
      (x: Spoilable) => (x.entry[1].resource.patient.reference = 'urn:uuid:missing'),
      'Bundle.entry[1].resource.patient.reference',
      /resolve/,
    ],
    [
      'a reference to the wrong type',
      (x: Spoilable) => (x.entry[2].resource.subject.reference = x.entry[1].fullUrl),
      'Bundle.entry[2].resource.subject.reference',
      /Patient/,
    ],
    ['a repeated fullUrl', (x: Spoilable) => (x.entry[3].fullUrl = x.entry[1].fullUrl), 'Bundle.entry[3].fullUrl', /unique/],
  ])('catches %s', (_name, spoil, path, message) => {
    const copy = structuredClone(b) as unknown as Spoilable;
    spoil(copy);
    const issues = checkBundle(copy);
    expect(issues.find((i) => i.path === path)?.message, JSON.stringify(issues)).toMatch(message);
  });
});

// The FHIR reader: the national API's shape is read into the register's columns, and a corpus of
// malformed resources is refused, each with its own fault at the JSON path of the field.
import { describe, expect, it } from 'vitest';
import { PRODUCT } from '../shared/vocabulary/products';
import { bundle, immunization } from './exchange.fixtures';
import { parseFhirImmunizations, parseFhirText, type FhirIssue } from './fhir-import.rules';

const TODAY = '2026-10-05';

function issuesOf(input: unknown): FhirIssue[] {
  const r = parseFhirImmunizations(input, TODAY);
  if (r.ok) throw new Error('expected a refusal');
  return r.issues;
}

/** An Immunization with one change made to a copy (set, or delete with undefined). */
function changed(path: (string | number)[], v: unknown): Record<string, unknown> {
  const r = structuredClone(immunization());
  let o: Record<string | number, unknown> = r;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (v === undefined) delete o[last];
  else o[last] = v;
  return r;
}

describe('reading a UK Core Immunization', () => {
  it('maps every field the national API sends', () => {
    const r = parseFhirImmunizations(immunization({ nhsNumber: '9990000018' }), TODAY);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [item] = r.items;
    expect(item!.person).toEqual({
      nhsNumber: '9990000018',
      familyName: 'Taylor',
      givenName: 'Sarah',
      dateOfBirth: '2020-02-28',
      genderCode: '2',
      postcode: 'ME14 1XX',
      practiceCode: null,
    });
    expect(item!.event).toMatchObject({
      source_system: 'https://supplier.example/vaccinations',
      source_id: 'ACME-vacc-0001',
      outcome: 'GIVEN',
      occurred_at: '2021-03-01T10:30:00.000Z',
      occurred_on: '2021-03-01',
      dose_sequence: 1,
      product_code: PRODUCT.MMRVAXPRO,
      batch_number: 'MMR-808',
      expiry_date: '2022-09-21',
      site_code: '368208006',
      site_term: 'Left upper arm structure',
      route_code: '78421000',
      route_term: 'Intramuscular route',
      dose_amount: 0.5,
      dose_unit_code: '258773002',
      performer_name: "Ellena O'Reilly",
      organisation_code: 'FA123',
      location_code: 'FA123',
      location_type: 'ODS',
      primary_source: false,
      reported_by: 'OTHER_PROVIDER',
    });
    expect(item!.procedureCode).toBe('38598009');
    expect(item!.event.notes).toMatch(/443684005/);
  });

  it("uses the product's own SNOMED terms for codes it knows, and the sender's for others", () => {
    const known = parseFhirImmunizations(changed(['site', 'coding', 0, 'display'], 'LUA'), TODAY);
    expect(known.ok && known.items[0]!.event.site_term).toBe('Left upper arm structure');
    const other = changed(['site', 'coding', 0], {
      system: 'http://snomed.info/sct',
      code: '16217701000119102',
      display: 'Structure of left deltoid muscle',
    });
    const r = parseFhirImmunizations(other, TODAY);
    expect(r.ok && r.items[0]!.event.site_term).toBe('Structure of left deltoid muscle');
  });

  it('takes a British Summer Time instant as that day in England', () => {
    const r = parseFhirImmunizations(immunization({ occurrence: '2025-06-30T23:30:00+00:00', expiry: '2026-01-01' }), TODAY);
    expect(r.ok && r.items[0]!.event.occurred_on).toBe('2025-07-01');
  });

  it('reads a dose not given with its reason, and entered-in-error', () => {
    const nd = parseFhirImmunizations(immunization({ status: 'not-done' }), TODAY);
    expect(nd.ok && nd.items[0]!.event).toMatchObject({ outcome: 'NOT_GIVEN', not_given_reason: 'DECLINED', batch_number: null });
    const eie = parseFhirImmunizations(immunization({ status: 'entered-in-error' }), TODAY);
    expect(eie.ok && eie.items[0]!.enteredInError).toBe(true);
  });

  it('reads transaction and collection bundles, and patients referenced by fullUrl', () => {
    const two = parseFhirImmunizations(bundle([immunization({ id: 'a' }), immunization({ id: 'b' })]), TODAY);
    expect(two.ok && two.items.map((i) => [i.path, i.event.source_id])).toEqual([
      ['Bundle.entry[0].resource', 'a'],
      ['Bundle.entry[1].resource', 'b'],
    ]);
    const imm = immunization({ id: 'c' });
    const pat = (imm.contained as Record<string, unknown>[])[1]!;
    imm.contained = [(imm.contained as unknown[])[0]];
    imm.patient = { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' };
    const b = bundle([imm], 'collection');
    (b.entry as unknown[]).push({ fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: pat });
    const r = parseFhirImmunizations(b, TODAY);
    expect(r.ok && r.items[0]!.person.familyName).toBe('Taylor');
  });

  it('keeps an NHS number that fails its check digit for matching to judge', () => {
    const r = parseFhirImmunizations(immunization({ nhsNumber: '9990000019' }), TODAY);
    expect(r.ok && r.items[0]!.person.nhsNumber).toBe('9990000019');
  });
});

describe('malformed resources, each refused with its own fault', () => {
  const corpus: [string, unknown, string, RegExp][] = [
    ['not an object', [1, 2], '$', /JSON object/],
    ['unknown resource type', { resourceType: 'Observation' }, 'resourceType', /Immunization or Bundle/],
    ['no status', changed(['status'], undefined), 'Immunization.status', /Required/],
    ['status outside the value set', changed(['status'], 'done'), 'Immunization.status', /completed, not-done/],
    ['no identifier', changed(['identifier'], undefined), 'Immunization.identifier', /Required/],
    ['identifier system not a URI', changed(['identifier', 0, 'system'], 'supplier abc'), 'Immunization.identifier[0].system', /URI/],
    [
      'vaccine code not SNOMED',
      changed(['vaccineCode', 'coding', 0, 'system'], 'http://example.org/codes'),
      'Immunization.vaccineCode.coding',
      /snomed/,
    ],
    ['vaccine code not digits', changed(['vaccineCode', 'coding', 0, 'code'], 'MMR'), 'Immunization.vaccineCode.coding[0].code', /dm\+d/],
    ['patient not contained', changed(['patient', 'reference'], '#Nobody'), 'Immunization.patient.reference', /No contained/],
    [
      'patient reference to a practitioner',
      changed(['patient', 'reference'], '#Pract1'),
      'Immunization.patient.reference',
      /not a Patient/,
    ],
    [
      'NHS number of 9 digits',
      changed(['contained', 1, 'identifier', 0, 'value'], '999000001'),
      'Immunization.contained[1].identifier[0].value',
      /10 digits/,
    ],
    [
      'birth date not a real date',
      changed(['contained', 1, 'birthDate'], '2020-02-30'),
      'Immunization.contained[1].birthDate',
      /YYYY-MM-DD/,
    ],
    ['no family name', changed(['contained', 1, 'name', 0, 'family'], undefined), 'Immunization.contained[1].name[0].family', /Required/],
    ['gender outside the value set', changed(['contained', 1, 'gender'], 'F'), 'Immunization.contained[1].gender', /male, female/],
    [
      'postcode not a postcode',
      changed(['contained', 1, 'address', 0, 'postalCode'], 'NOWHERE'),
      'Immunization.contained[1].address[0].postalCode',
      /UK postcode/,
    ],
    ['occurrence without a zone', changed(['occurrenceDateTime'], '2021-03-01T10:30:00'), 'Immunization.occurrenceDateTime', /time zone/],
    ['occurrence in the future', changed(['occurrenceDateTime'], '2027-01-01'), 'Immunization.occurrenceDateTime', /future/],
    ['occurrence before birth', changed(['occurrenceDateTime'], '2019-01-01'), 'Immunization.occurrenceDateTime', /date of birth/],
    ['primarySource a string', changed(['primarySource'], 'yes'), 'Immunization.primarySource', /true or false/],
    ['expired batch', changed(['expirationDate'], '2020-01-01'), 'Immunization.expirationDate', /expired/],
    ['dose quantity negative', changed(['doseQuantity', 'value'], -0.5), 'Immunization.doseQuantity.value', /above 0/],
    ['dose unit unknown', changed(['doseQuantity', 'code'], 'tsp'), 'Immunization.doseQuantity.code', /UCUM/],
    [
      'dose number zero',
      changed(['protocolApplied', 0, 'doseNumberPositiveInt'], 0),
      'Immunization.protocolApplied[0].doseNumberPositiveInt',
      /1 to 20/,
    ],
    ['location not ODS', changed(['location', 'identifier', 'value'], 'not ods!'), 'Immunization.location.identifier.value', /ODS/],
    [
      'procedure extension without a code',
      changed(['extension', 0, 'valueCodeableConcept'], undefined),
      'Immunization.extension[0].valueCodeableConcept',
      /Required/,
    ],
    [
      'not done without a reason',
      (() => {
        const r = immunization({ status: 'not-done' });
        delete r.statusReason;
        return r;
      })(),
      'Immunization.statusReason',
      /Required/,
    ],
    ['empty array', changed(['reasonCode'], []), 'Immunization.reasonCode', /empty array/],
    ['control characters in a batch', changed(['lotNumber'], 'AB\u0000C'), 'Immunization.lotNumber', /control/],
    ['bundle of the wrong type', { ...bundle([immunization()]), type: 'searchset' }, 'Bundle.type', /transaction or collection/],
    [
      'bundle entry of another resource',
      bundle([{ resourceType: 'Observation' }]),
      'Bundle.entry[0].resource.resourceType',
      /Must be Immunization/,
    ],
    [
      'the same identifier twice in a bundle',
      bundle([immunization({ id: 'x' }), immunization({ id: 'x' })]),
      'Bundle.entry[1].resource.identifier[0]',
      /same identifier/,
    ],
    [
      'transaction entry with DELETE',
      (() => {
        const b = bundle([immunization()]);
        (b.entry as { request: { method: string } }[])[0]!.request.method = 'DELETE';
        return b;
      })(),
      'Bundle.entry[0].request.method',
      /POST or PUT/,
    ],
  ];

  it('has at least twelve cases', () => expect(corpus.length).toBeGreaterThanOrEqual(12));

  it.each(corpus)('%s', (_name, input, path, message) => {
    const issues = issuesOf(input);
    const hit = issues.find((i) => i.path === path);
    expect(hit, JSON.stringify(issues)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('says where text is not JSON', () => {
    const r = parseFhirText('{"resourceType": "Immunization",', TODAY);
    expect(!r.ok && r.issues[0]!.path).toBe('$');
  });
});

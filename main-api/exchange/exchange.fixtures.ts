// FHIR resources for tests and demonstrations, shaped as the national Immunisation FHIR API's
// examples are (UK Core): a contained Patient and Practitioner, the VaccinationProcedure
// extension, a dm+d vaccine code. Synthetic people only (NHS numbers in the 999 range).
import { FHIR_SYSTEM, VACCINATION_PROCEDURE_EXTENSION } from '../shared/vocabulary/exchange';
import { PRODUCT } from '../shared/vocabulary/products';

export interface ImmunizationFixture {
  id?: string;
  system?: string;
  nhsNumber?: string | null;
  family?: string;
  given?: string;
  birthDate?: string;
  gender?: string;
  postcode?: string | null;
  status?: 'completed' | 'not-done' | 'entered-in-error';
  occurrence?: string;
  product?: string;
  batch?: string;
  expiry?: string;
  dose?: number;
  performerOds?: string;
  location?: string;
}

/** An Immunization (UK Core) for the fixture's person: MMR dose 1 given at a pharmacy. */
export function immunization(f: ImmunizationFixture = {}): Record<string, unknown> {
  const patient: Record<string, unknown> = {
    resourceType: 'Patient',
    id: 'Pat1',
    name: [{ family: f.family ?? 'Taylor', given: [f.given ?? 'Sarah'] }],
    gender: f.gender ?? 'female',
    birthDate: f.birthDate ?? '2020-02-28',
  };
  if (f.nhsNumber !== null) patient.identifier = [{ system: FHIR_SYSTEM.NHS_NUMBER, value: f.nhsNumber ?? '9990000018' }];
  if (f.postcode !== null) patient.address = [{ postalCode: f.postcode ?? 'ME14 1XX' }];
  const status = f.status ?? 'completed';
  const r: Record<string, unknown> = {
    resourceType: 'Immunization',
    contained: [{ resourceType: 'Practitioner', id: 'Pract1', name: [{ family: "O'Reilly", given: ['Ellena'] }] }, patient],
    extension: [
      {
        url: VACCINATION_PROCEDURE_EXTENSION,
        valueCodeableConcept: {
          coding: [
            {
              system: FHIR_SYSTEM.SNOMED,
              code: '38598009',
              display:
                'Administration of vaccine product containing only Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens',
            },
          ],
        },
      },
    ],
    identifier: [{ system: f.system ?? 'https://supplier.example/vaccinations', value: f.id ?? 'ACME-vacc-0001' }],
    status,
    vaccineCode: { coding: [{ system: FHIR_SYSTEM.SNOMED, code: f.product ?? PRODUCT.MMRVAXPRO, display: 'M-M-RVAXPRO' }] },
    patient: { reference: '#Pat1' },
    occurrenceDateTime: f.occurrence ?? '2021-03-01T10:30:00+00:00',
    recorded: '2021-03-01T10:35:00+00:00',
    primarySource: true,
    location: { identifier: { system: FHIR_SYSTEM.ODS, value: f.location ?? 'FA123' } },
    lotNumber: f.batch ?? 'MMR-808',
    expirationDate: f.expiry ?? '2022-09-21',
    site: { coding: [{ system: FHIR_SYSTEM.SNOMED, code: '368208006', display: 'Left upper arm structure' }] },
    route: { coding: [{ system: FHIR_SYSTEM.SNOMED, code: '78421000', display: 'Intramuscular route' }] },
    doseQuantity: { value: 0.5, unit: 'milliliter', system: FHIR_SYSTEM.UCUM, code: 'ml' },
    performer: [
      { actor: { reference: '#Pract1' } },
      { actor: { type: 'Organization', identifier: { system: FHIR_SYSTEM.ODS, value: f.performerOds ?? 'FA123' } } },
    ],
    reasonCode: [{ coding: [{ system: FHIR_SYSTEM.SNOMED, code: '443684005' }] }],
    protocolApplied: [{ doseNumberPositiveInt: f.dose ?? 1 }],
  };
  if (status === 'not-done') {
    delete r.lotNumber;
    delete r.expirationDate;
    r.statusReason = { coding: [{ system: FHIR_SYSTEM.ACT_REASON, code: 'PATOBJ' }] };
  }
  return r;
}

/** A transaction Bundle of Immunizations, as the national API takes them. */
export function bundle(resources: Record<string, unknown>[], type: 'transaction' | 'collection' = 'transaction'): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type,
    entry: resources.map((resource, i) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resource,
      ...(type === 'transaction' ? { request: { method: 'POST', url: 'Immunization' } } : {}),
    })),
  };
}

// The v5 batch file writer: the exact header, quoting, national date formats, the file name on
// England's clock, and a round trip of every column.
import { describe, expect, it } from 'vitest';
import { V5_COLUMNS, V5_VACCINE_TYPE } from '../shared/vocabulary/exchange';
import { parseV5File, v5File, v5FileName, v5Row, V5_HEADER, type V5Source } from './v5-file.rules';

const source: V5Source = {
  eventId: 7,
  sourceSystem: 'https://supplier.example/vaccinations',
  sourceId: 'ACME|"7"',
  nhsNumber: '9990000018',
  givenName: 'Sarah',
  familyName: "O'Reilly",
  dateOfBirth: '2020-02-28',
  genderCode: '2',
  postcode: 'ME14 1XX',
  occurredAt: '2025-10-01T09:15:00Z',
  occurredOn: '2025-10-01',
  recordedAt: '2025-12-01T00:30:00Z',
  organisationCode: 'FA123',
  performerName: 'Jo Nurse',
  primarySource: true,
  procedureCode: '985151000000100',
  procedureTerm: 'Administration of first inactivated seasonal influenza vaccination',
  doseSequence: 1,
  productCode: 'LOCAL-X',
  productCodeStatus: 'LOCAL',
  productTerm: 'Local product',
  manufacturer: 'Maker',
  vaccineType: 'Flu (cell-based, inactivated)',
  batchNumber: 'AB1',
  expiryDate: '2026-03-31',
  siteCode: '368208006',
  siteTerm: 'Left upper arm structure',
  routeCode: '78421000',
  routeTerm: 'Intramuscular route',
  doseAmount: '0.500',
  doseUnitCode: '258773002',
  doseUnitTerm: 'Millilitre',
  locationCode: '123456',
  locationType: 'URN',
};

describe('the v5 batch file', () => {
  it('has the 34 columns in order', () => {
    expect(V5_COLUMNS).toHaveLength(34);
    expect(V5_HEADER.startsWith('NHS_NUMBER|PERSON_FORENAME|PERSON_SURNAME|PERSON_DOB|')).toBe(true);
    expect(V5_HEADER.endsWith('|INDICATION_CODE|LOCATION_CODE|LOCATION_CODE_TYPE_URI')).toBe(true);
  });

  it('writes national formats and never sends a local placeholder as a dm+d code', () => {
    const row = v5Row(source, 'UPDATE');
    expect(row).toMatchObject({
      PERSON_DOB: '20200228',
      DATE_AND_TIME: '20251001T10150001',
      RECORDED_DATE: '20251201',
      PRIMARY_SOURCE: 'TRUE',
      ACTION_FLAG: 'UPDATE',
      VACCINE_PRODUCT_CODE: '',
      VACCINE_PRODUCT_TERM: '',
      EXPIRY_DATE: '20260331',
      DOSE_AMOUNT: '0.5',
      LOCATION_CODE: '123456',
      LOCATION_CODE_TYPE_URI: 'https://fhir.hl7.org.uk/Id/urn-school-number',
      PERFORMING_PROFESSIONAL_FORENAME: 'Jo',
      PERFORMING_PROFESSIONAL_SURNAME: 'Nurse',
    });
    expect(v5Row({ ...source, occurredAt: null, occurredOn: '2025-01-05' }, 'NEW').DATE_AND_TIME).toBe('20250105T00000000');
  });

  it('reads back every column as written, quotes and pipes included', () => {
    const rows = [v5Row(source, 'NEW'), v5Row({ ...source, sourceId: 'plain', familyName: 'A|B' }, 'DELETE')];
    const text = v5File(rows);
    expect(text.split('\r\n')[1]!.startsWith('"9990000018"|"Sarah"|"O\'Reilly"|')).toBe(true);
    const back = parseV5File(text);
    expect(back).toEqual({ ok: true, rows });
  });

  it('refuses a file whose header is not exact', () => {
    expect(parseV5File(V5_HEADER.replace('NHS_NUMBER', 'NHS_NO') + '\r\n').ok).toBe(false);
  });

  it('names files on England clock with the zone suffix', () => {
    expect(v5FileName('FLU', 'FA123', new Date('2026-01-15T09:00:00Z'))).toBe('FLU_Vaccinations_v5_FA123_20260115T09000000.csv');
    expect(v5FileName('FLU', 'FA123', new Date('2026-07-15T09:00:00Z'))).toBe('FLU_Vaccinations_v5_FA123_20260715T10000001.csv');
  });

  it('knows a national vaccine type for every product type', () => {
    expect(Object.values(V5_VACCINE_TYPE).every((t) => t === null || /^[A-Z0-9]+$/.test(t))).toBe(true);
  });
});

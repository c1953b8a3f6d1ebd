// The NHS vaccination batch file, version 5: 34 pipe-delimited columns, every value quoted, one
// row per event version, with the national date formats. One writer serves onward submission
// (a file per vaccine type) and the GP daily update (a file per practice). Pure.
import { FHIR_SYSTEM, V5_COLUMNS, V5_VACCINE_TYPE, type V5Action, type V5Column } from '../shared/vocabulary/exchange';

/** One event version as api.exchange_export_claim answers it (ims.exchange_v5_row). */
export interface V5Source {
  eventId: number;
  sourceSystem: string;
  sourceId: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  genderCode: string;
  postcode: string | null;
  occurredAt: string | null;
  occurredOn: string;
  recordedAt: string;
  organisationCode: string | null;
  performerName: string | null;
  primarySource: boolean;
  procedureCode: string | null;
  procedureTerm: string | null;
  doseSequence: number | null;
  productCode: string | null;
  productCodeStatus: string | null;
  productTerm: string | null;
  manufacturer: string | null;
  vaccineType: string | null;
  batchNumber: string | null;
  expiryDate: string | null;
  siteCode: string | null;
  siteTerm: string | null;
  routeCode: string | null;
  routeTerm: string | null;
  doseAmount: number | string | null;
  doseUnitCode: string | null;
  doseUnitTerm: string | null;
  locationCode: string | null;
  locationType: 'ODS' | 'URN' | null;
}

export type V5Row = Record<V5Column, string>;

export const V5_HEADER = V5_COLUMNS.join('|');

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** An instant on England's clock: YYYYMMDD, hhmmss and the zone suffix (00 GMT, 01 BST). */
export function londonStamp(instant: string | Date): { day: string; time: string; zone: '00' | '01' } {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  const p = Object.fromEntries(londonClock.formatToParts(d).map((x) => [x.type, x.value]));
  return { day: `${p.year}${p.month}${p.day}`, time: `${p.hour}${p.minute}${p.second}`, zone: p.timeZoneName === 'GMT' ? '00' : '01' };
}

const compactDay = (iso: string | null): string => (iso ? iso.slice(0, 10).replaceAll('-', '') : '');

/** The performer's name split as the layout wants it: forename(s) and surname (the last word). */
function splitName(name: string | null): [string, string] {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return ['', ''];
  if (words.length === 1) return ['', words[0]!];
  return [words.slice(0, -1).join(' '), words.at(-1)!];
}

/** The columns of one row. Product codes that are local placeholders are left out, never sent as dm+d. */
export function v5Row(s: V5Source, action: V5Action): V5Row {
  const when = s.occurredAt ? londonStamp(s.occurredAt) : { day: compactDay(s.occurredOn), time: '000000', zone: '00' as const };
  const [pf, ps] = splitName(s.performerName);
  const productCode = s.productCodeStatus === 'LOCAL' ? '' : (s.productCode ?? '');
  const location = s.locationCode ?? s.organisationCode ?? '';
  const locationUri = s.locationCode
    ? s.locationType === 'URN'
      ? FHIR_SYSTEM.SCHOOL_URN
      : FHIR_SYSTEM.ODS
    : location
      ? FHIR_SYSTEM.ODS
      : '';
  return {
    NHS_NUMBER: s.nhsNumber,
    PERSON_FORENAME: s.givenName,
    PERSON_SURNAME: s.familyName,
    PERSON_DOB: compactDay(s.dateOfBirth),
    PERSON_GENDER_CODE: s.genderCode,
    PERSON_POSTCODE: s.postcode ?? '',
    DATE_AND_TIME: `${when.day}T${when.time}${when.zone}`,
    SITE_CODE: s.organisationCode ?? '',
    SITE_CODE_TYPE_URI: s.organisationCode ? FHIR_SYSTEM.ODS : '',
    UNIQUE_ID: s.sourceId,
    UNIQUE_ID_URI: s.sourceSystem === 'IMS' ? FHIR_SYSTEM.IMS_EVENT : s.sourceSystem,
    ACTION_FLAG: action,
    PERFORMING_PROFESSIONAL_FORENAME: pf,
    PERFORMING_PROFESSIONAL_SURNAME: ps,
    RECORDED_DATE: londonStamp(s.recordedAt).day,
    PRIMARY_SOURCE: s.primarySource ? 'TRUE' : 'FALSE',
    VACCINATION_PROCEDURE_CODE: s.procedureCode ?? '',
    VACCINATION_PROCEDURE_TERM: s.procedureTerm ?? '',
    DOSE_SEQUENCE: s.doseSequence !== null && s.doseSequence >= 1 && s.doseSequence <= 9 ? String(s.doseSequence) : '',
    VACCINE_PRODUCT_CODE: productCode,
    VACCINE_PRODUCT_TERM: productCode ? (s.productTerm ?? '') : '',
    VACCINE_MANUFACTURER: s.manufacturer ?? '',
    BATCH_NUMBER: s.batchNumber ?? '',
    EXPIRY_DATE: compactDay(s.expiryDate),
    SITE_OF_VACCINATION_CODE: s.siteCode ?? '',
    SITE_OF_VACCINATION_TERM: s.siteTerm ?? '',
    ROUTE_OF_VACCINATION_CODE: s.routeCode ?? '',
    ROUTE_OF_VACCINATION_TERM: s.routeTerm ?? '',
    DOSE_AMOUNT: s.doseAmount === null ? '' : String(Number(s.doseAmount)),
    DOSE_UNIT_CODE: s.doseUnitCode ?? '',
    DOSE_UNIT_TERM: s.doseUnitTerm ?? '',
    INDICATION_CODE: '',
    LOCATION_CODE: location,
    LOCATION_CODE_TYPE_URI: locationUri,
  };
}

/** A value quoted, its own quotes doubled; line breaks (never valid in a value) become spaces. */
const quote = (v: string): string => `"${v.replace(/[\r\n]+/g, ' ').replaceAll('"', '""')}"`;

function v5Line(row: V5Row): string {
  return V5_COLUMNS.map((c) => quote(row[c])).join('|');
}

/** A whole file: the header, then a line per row, CRLF line ends as the national examples use. */
export function v5File(rows: readonly V5Row[]): string {
  return [V5_HEADER, ...rows.map(v5Line)].join('\r\n') + '\r\n';
}

/** The file name: {TYPE}_Vaccinations_v5_{ODS}_{YYYYMMDDThhmmsszz}.csv on England's clock. */
export function v5FileName(vaccineType: string, ods: string, at: Date): string {
  const s = londonStamp(at);
  return `${vaccineType}_Vaccinations_v5_${ods}_${s.day}T${s.time}${s.zone}.csv`;
}

/** The batch file's vaccine type for a product type, or null when it has none. */
export function v5VaccineType(productVaccineType: string | null): string | null {
  return productVaccineType === null ? null : (V5_VACCINE_TYPE[productVaccineType] ?? null);
}

/**
 * Reads a v5 file back (the round-trip test, and a check of what was written): the header must
 * match exactly, every line must have 34 quoted or bare values.
 */
export function parseV5File(text: string): { ok: true; rows: V5Row[] } | { ok: false; message: string } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  if (lines[0] !== V5_HEADER) return { ok: false, message: 'The header is not the 34 columns of the v5 layout in order.' };
  const rows: V5Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const values = splitLine(lines[i]!);
    if (values === null || values.length !== V5_COLUMNS.length) return { ok: false, message: `Row ${i}: not ${V5_COLUMNS.length} values.` };
    rows.push(Object.fromEntries(V5_COLUMNS.map((c, k) => [c, values[k]!])) as V5Row);
  }
  return { ok: true, rows };
}

function splitLine(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += line[i++];
      }
      out.push(v);
    } else {
      const end = line.indexOf('|', i);
      out.push(end < 0 ? line.slice(i) : line.slice(i, end));
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return out;
    if (line[i] !== '|') return null;
    i++;
  }
}

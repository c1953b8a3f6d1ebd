// Reads FHIR R4 Immunization resources shaped as the national Immunisation FHIR API sends them
// (UK Core: contained Patient and Practitioner, the VaccinationProcedure extension, dm+d vaccine
// codes, the NHS number identifier) into the register's event columns and the person's details
// as sent. Pure: no database; every fault is reported with the JSON path of the field, and a
// Bundle with any fault is refused whole, so nothing is half-imported. Never throws, whatever
// the input (a fuzz test feeds it random and mutated JSON).
import { parseDay } from '../shared/calendar/dates';
import { londonDate } from '../shared/calendar/england';
import { parsePostcode } from '../shared/identifiers/postcode';
import {
  ACT_REASON_TO_NOT_GIVEN,
  FHIR_SYSTEM,
  GENDER_FROM_FHIR,
  UCUM_TO_SNOMED_UNIT,
  VACCINATION_PROCEDURE_EXTENSION,
} from '../shared/vocabulary/exchange';
import { NOT_GIVEN_REASONS, type NotGivenReason } from '../shared/vocabulary/vaccination';
import { ROUTE_LABELS, SITE_SNOMED_TERMS } from '../shared/vocabulary/sites';

export interface FhirIssue {
  /** Where the fault is, as a JSON path: Bundle.entry[2].resource.vaccineCode.coding[0].code */
  path: string;
  message: string;
}

/** The person as the sender described them. */
interface IncomingPerson {
  nhsNumber: string | null;
  familyName: string;
  givenName: string;
  dateOfBirth: string;
  genderCode: '0' | '1' | '2' | '9';
  postcode: string | null;
  practiceCode: string | null;
}

/** The event as register columns (api.record_vaccination's keys), without person or programme. */
interface IncomingEvent {
  source_system: string;
  source_id: string;
  outcome: 'GIVEN' | 'NOT_GIVEN';
  not_given_reason: NotGivenReason | null;
  occurred_at: string | null;
  occurred_on: string;
  dose_sequence: number | null;
  product_code: string | null;
  batch_number: string | null;
  expiry_date: string | null;
  site_code: string | null;
  site_term: string | null;
  route_code: string | null;
  route_term: string | null;
  dose_amount: number | null;
  dose_unit_code: string | null;
  dose_unit_term: string | null;
  performer_name: string | null;
  location_code: string | null;
  location_type: 'ODS' | 'URN' | null;
  organisation_code: string | null;
  primary_source: boolean;
  reported_by: 'OTHER_PROVIDER' | null;
  notes: string | null;
}

export interface IncomingImmunization {
  /** Where in the input it came from ('Immunization' or 'Bundle.entry[3].resource'). */
  path: string;
  person: IncomingPerson;
  event: IncomingEvent;
  enteredInError: boolean;
  /** The SNOMED CT vaccination procedure the sender named (kept in the notes; the product implies it). */
  procedureCode: string | null;
}

export type FhirParse = { ok: true; items: IncomingImmunization[] } | { ok: false; issues: FhirIssue[] };

const MAX_ENTRIES = 5000;
const MAX_ISSUES = 200;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$/;
const SCTID = /^[0-9]{6,18}$/;
const ODS = /^[A-Z0-9]{3,10}$/;
const URN = /^[0-9]{6}$/;
const TEXT = /^[^\p{Cc}]*$/u;

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly issues: FhirIssue[] = [];
  constructor(readonly today: string) {}

  fault(path: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, message });
  }

  /** A string of at most max characters, without control characters; undefined when absent. */
  text(o: Obj, key: string, path: string, max: number, required = false): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.fault(`${path}.${key}`, 'Required.');
      return undefined;
    }
    if (typeof v !== 'string') {
      this.fault(`${path}.${key}`, 'Must be a string.');
      return undefined;
    }
    const t = v.trim();
    if (t === '') {
      // FHIR forbids empty strings.
      this.fault(`${path}.${key}`, 'Must not be empty.');
      return undefined;
    }
    if (t.length > max) {
      this.fault(`${path}.${key}`, `At most ${max} characters.`);
      return undefined;
    }
    if (!TEXT.test(t)) {
      this.fault(`${path}.${key}`, 'Must not contain control characters.');
      return undefined;
    }
    return t;
  }

  obj(o: Obj, key: string, path: string, required = false): Obj | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.fault(`${path}.${key}`, 'Required.');
      return undefined;
    }
    if (!isObj(v)) {
      this.fault(`${path}.${key}`, 'Must be an object.');
      return undefined;
    }
    return v;
  }

  arr(o: Obj, key: string, path: string, required = false): Json[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.fault(`${path}.${key}`, 'Required.');
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.fault(`${path}.${key}`, 'Must be an array.');
      return undefined;
    }
    if (v.length === 0) {
      // FHIR JSON never has empty arrays.
      this.fault(`${path}.${key}`, 'Must not be an empty array.');
      return undefined;
    }
    return v;
  }

  date(o: Obj, key: string, path: string, required = false): string | undefined {
    const t = this.text(o, key, path, 10, required);
    if (t === undefined) return undefined;
    if (!DATE.test(t) || Number.isNaN(parseDay(t))) {
      this.fault(`${path}.${key}`, 'Must be a date, YYYY-MM-DD.');
      return undefined;
    }
    return t;
  }

  /** A FHIR dateTime: a full date and time with its zone, or a date alone. */
  dateTime(o: Obj, key: string, path: string, required = false): { at: string | null; on: string } | undefined {
    const t = this.text(o, key, path, 40, required);
    if (t === undefined) return undefined;
    if (DATE.test(t) && !Number.isNaN(parseDay(t))) return { at: null, on: t };
    const m = DATE_TIME.exec(t);
    if (!m || Number.isNaN(parseDay(`${m[1]}-${m[2]}-${m[3]}`)) || Number.isNaN(Date.parse(t))) {
      this.fault(`${path}.${key}`, 'Must be a date and time with its time zone (2025-10-01T10:30:00+01:00) or a date.');
      return undefined;
    }
    const at = new Date(Date.parse(t)).toISOString();
    return { at, on: londonDate(at) };
  }

  /** The SNOMED CT coding of a CodeableConcept: its code and display. */
  snomed(cc: Obj, path: string, what: string): { code: string; display: string | null } | undefined {
    const codings = this.arr(cc, 'coding', path, true);
    if (!codings) return undefined;
    let found: { code: string; display: string | null } | undefined;
    codings.forEach((c, i) => {
      const p = `${path}.coding[${i}]`;
      if (!isObj(c)) return this.fault(p, 'Must be an object.');
      const system = this.text(c, 'system', p, 200);
      if (system !== FHIR_SYSTEM.SNOMED || found) return;
      const code = this.text(c, 'code', p, 18, true);
      if (code === undefined) return;
      if (!SCTID.test(code)) return this.fault(`${p}.code`, `Must be a SNOMED CT ${what} code (6 to 18 digits).`);
      found = { code, display: this.text(c, 'display', p, 500) ?? null };
    });
    if (!found && !this.issues.some((x) => x.path.startsWith(`${path}.coding`)))
      this.fault(`${path}.coding`, `Needs a coding with system ${FHIR_SYSTEM.SNOMED} (${what}).`);
    return found;
  }
}

const termOf = (terms: Readonly<Record<string, string>>, code: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(terms, code) ? terms[code] : undefined;

/** The resource a reference names: '#id' in contained, or a fullUrl of the Bundle. */
function resolve(ref: string, contained: Map<string, Obj>, bundle: Map<string, Obj>): Obj | undefined {
  if (ref.startsWith('#')) return contained.get(ref.slice(1));
  return bundle.get(ref);
}

function personName(r: Reader, res: Obj, path: string, required: boolean): { family?: string; given?: string } {
  const names = r.arr(res, 'name', path, required);
  if (!names) return {};
  // The official name if there is one (UK Core senders list old names too), else the first.
  let index = names.findIndex((n) => isObj(n) && n.use === 'official');
  if (index < 0) index = 0;
  const n = names[index];
  const p = `${path}.name[${index}]`;
  if (!isObj(n)) {
    r.fault(p, 'Must be an object.');
    return {};
  }
  const family = r.text(n, 'family', p, 35, required);
  const givens = r.arr(n, 'given', p, required);
  let given: string | undefined;
  if (givens) {
    const g = givens[0];
    if (typeof g !== 'string' || g.trim() === '' || g.length > 35 || !TEXT.test(g))
      r.fault(`${p}.given[0]`, 'Must be a name of 1 to 35 characters.');
    else given = g.trim();
  }
  return { family, given };
}

function readPatient(r: Reader, pat: Obj, path: string): IncomingPerson | undefined {
  const before = r.issues.length;
  let nhsNumber: string | null = null;
  const ids = r.arr(pat, 'identifier', path);
  ids?.forEach((id, i) => {
    const p = `${path}.identifier[${i}]`;
    if (!isObj(id)) return r.fault(p, 'Must be an object.');
    if (id.system !== FHIR_SYSTEM.NHS_NUMBER) return;
    const v = r.text(id, 'value', p, 20, true);
    if (v === undefined) return;
    const digits = v.replace(/\s+/g, '');
    // A wrong check digit is not refused here: matching treats it as no number and says so.
    if (!/^[0-9]{10}$/.test(digits)) return r.fault(`${p}.value`, 'An NHS number is 10 digits.');
    nhsNumber = digits;
  });
  const { family, given } = personName(r, pat, path, true);
  const dob = r.date(pat, 'birthDate', path, true);
  if (dob && dob > r.today) r.fault(`${path}.birthDate`, 'Must not be in the future.');
  let genderCode: IncomingPerson['genderCode'] = '0';
  const g = r.text(pat, 'gender', path, 10);
  if (g !== undefined) {
    const code = GENDER_FROM_FHIR[g];
    if (code === undefined) r.fault(`${path}.gender`, 'Must be male, female, other or unknown.');
    else genderCode = code;
  }
  let postcode: string | null = null;
  const addresses = r.arr(pat, 'address', path);
  if (addresses) {
    const a = addresses[0];
    if (!isObj(a)) r.fault(`${path}.address[0]`, 'Must be an object.');
    else {
      const pc = r.text(a, 'postalCode', `${path}.address[0]`, 10);
      if (pc !== undefined) {
        const parsed = parsePostcode(pc);
        if (!parsed) r.fault(`${path}.address[0].postalCode`, 'Must be a UK postcode (ME14 1XX).');
        else postcode = parsed.postcode;
      }
    }
  }
  let practiceCode: string | null = null;
  const gps = r.arr(pat, 'generalPractitioner', path);
  if (gps && isObj(gps[0]) && isObj(gps[0].identifier) && gps[0].identifier.system === FHIR_SYSTEM.ODS) {
    const v = r.text(gps[0].identifier, 'value', `${path}.generalPractitioner[0].identifier`, 10);
    if (v !== undefined && ODS.test(v)) practiceCode = v;
  }
  if (r.issues.length > before || !family || !given || !dob) return undefined;
  return { nhsNumber, familyName: family, givenName: given, dateOfBirth: dob, genderCode, postcode, practiceCode };
}

function notGivenReason(r: Reader, imm: Obj, path: string): NotGivenReason | undefined {
  const sr = r.obj(imm, 'statusReason', path, true);
  if (!sr) return undefined;
  const codings = r.arr(sr, 'coding', `${path}.statusReason`, true);
  if (!codings) return undefined;
  for (const c of codings) {
    if (!isObj(c) || typeof c.code !== 'string') continue;
    if (c.system === FHIR_SYSTEM.NOT_GIVEN_REASON && (NOT_GIVEN_REASONS as readonly string[]).includes(c.code))
      return c.code as NotGivenReason;
  }
  for (const c of codings) {
    if (!isObj(c) || typeof c.code !== 'string') continue;
    if (c.system === FHIR_SYSTEM.ACT_REASON && ACT_REASON_TO_NOT_GIVEN[c.code]) return ACT_REASON_TO_NOT_GIVEN[c.code];
  }
  r.fault(`${path}.statusReason.coding`, `Needs a reason the product knows (${FHIR_SYSTEM.ACT_REASON}: IMMUNE, MEDPREC, OSTOCK, PATOBJ).`);
  return undefined;
}

function readImmunization(r: Reader, imm: Obj, path: string, bundle: Map<string, Obj>): IncomingImmunization | undefined {
  const before = r.issues.length;
  const contained = new Map<string, Obj>();
  r.arr(imm, 'contained', path)?.forEach((c, i) => {
    const p = `${path}.contained[${i}]`;
    if (!isObj(c)) return r.fault(p, 'Must be an object.');
    const id = r.text(c, 'id', p, 64, true);
    if (id === undefined) return;
    if (contained.has(id)) return r.fault(`${p}.id`, `Another contained resource has the id ${id}.`);
    contained.set(id, c);
  });

  const status = r.text(imm, 'status', path, 20, true);
  if (status !== undefined && !['completed', 'not-done', 'entered-in-error'].includes(status))
    r.fault(`${path}.status`, 'Must be completed, not-done or entered-in-error.');

  // The sender's identity for the event: resending it creates nothing new.
  let sourceSystem: string | undefined;
  let sourceId: string | undefined;
  const ids = r.arr(imm, 'identifier', path, true);
  if (ids) {
    const id = ids[0];
    const p = `${path}.identifier[0]`;
    if (!isObj(id)) r.fault(p, 'Must be an object.');
    else {
      sourceSystem = r.text(id, 'system', p, 200, true);
      sourceId = r.text(id, 'value', p, 200, true);
      if (sourceSystem !== undefined && !/^(https?:\/\/|urn:)[^\s]+$/.test(sourceSystem)) {
        r.fault(`${p}.system`, 'Must be a URI (https://... or urn:...).');
        sourceSystem = undefined;
      }
    }
  }

  const notDone = status === 'not-done';
  const reason = notDone ? notGivenReason(r, imm, path) : undefined;

  let productCode: string | null = null;
  const vc = r.obj(imm, 'vaccineCode', path, true);
  if (vc) {
    if (notDone && vc.coding === undefined) {
      // A dose not given may name no product (only its text).
    } else {
      const product = r.snomed(vc, `${path}.vaccineCode`, 'dm+d product');
      productCode = product?.code ?? null;
    }
  }

  let procedureCode: string | null = null;
  r.arr(imm, 'extension', path)?.forEach((ext, i) => {
    const p = `${path}.extension[${i}]`;
    if (!isObj(ext)) return r.fault(p, 'Must be an object.');
    if (typeof ext.url !== 'string') return r.fault(`${p}.url`, 'Required.');
    if (ext.url !== VACCINATION_PROCEDURE_EXTENSION) return;
    const cc = r.obj(ext, 'valueCodeableConcept', p, true);
    if (cc) procedureCode = r.snomed(cc, `${p}.valueCodeableConcept`, 'vaccination procedure')?.code ?? null;
  });

  let person: IncomingPerson | undefined;
  const patientRef = r.obj(imm, 'patient', path, true);
  if (patientRef) {
    const ref = r.text(patientRef, 'reference', `${path}.patient`, 200, true);
    if (ref !== undefined) {
      const pat = resolve(ref, contained, bundle);
      if (!pat) r.fault(`${path}.patient.reference`, `No contained or bundled Patient ${ref}.`);
      else if (pat.resourceType !== 'Patient') r.fault(`${path}.patient.reference`, `${ref} is not a Patient.`);
      else {
        const where = ref.startsWith('#')
          ? `${path}.contained[${[...contained.keys()].indexOf(ref.slice(1))}]`
          : `Bundle.entry(${ref}).resource`;
        person = readPatient(r, pat, where);
      }
    }
  }

  const occurrence = r.dateTime(imm, 'occurrenceDateTime', path, true);
  if (occurrence && occurrence.on > r.today) r.fault(`${path}.occurrenceDateTime`, 'Must not be in the future.');
  if (occurrence && person && occurrence.on < person.dateOfBirth)
    r.fault(`${path}.occurrenceDateTime`, 'Must not be before the date of birth.');
  r.dateTime(imm, 'recorded', path);

  let primarySource: boolean | undefined;
  if (typeof imm.primarySource === 'boolean') primarySource = imm.primarySource;
  else if (imm.primarySource === undefined) r.fault(`${path}.primarySource`, 'Required (true when the sender gave the dose).');
  else r.fault(`${path}.primarySource`, 'Must be true or false.');

  const batch = r.text(imm, 'lotNumber', path, 100) ?? null;
  const expiry = r.date(imm, 'expirationDate', path) ?? null;
  if (expiry && occurrence && expiry < occurrence.on) r.fault(`${path}.expirationDate`, 'The batch had expired before the vaccination.');
  if (notDone && (batch || expiry)) r.fault(`${path}.${batch ? 'lotNumber' : 'expirationDate'}`, 'A dose not given has no batch.');
  if (status === 'completed' && primarySource === true) {
    if (!batch && imm.lotNumber === undefined) r.fault(`${path}.lotNumber`, 'Required for a dose given by the sender.');
    if (!expiry && imm.expirationDate === undefined) r.fault(`${path}.expirationDate`, 'Required for a dose given by the sender.');
  }

  const site = r.obj(imm, 'site', path);
  const siteCoding = site ? r.snomed(site, `${path}.site`, 'body site') : undefined;
  const route = r.obj(imm, 'route', path);
  const routeCoding = route ? r.snomed(route, `${path}.route`, 'route') : undefined;

  let doseAmount: number | null = null;
  let unit: { code: string; term: string } | null = null;
  const dq = r.obj(imm, 'doseQuantity', path);
  if (dq) {
    const p = `${path}.doseQuantity`;
    if (typeof dq.value !== 'number' || !Number.isFinite(dq.value) || dq.value <= 0 || dq.value >= 10_000)
      r.fault(`${p}.value`, 'Must be a number above 0.');
    else doseAmount = Math.round(dq.value * 1000) / 1000;
    const code = r.text(dq, 'code', p, 18, true);
    const system = r.text(dq, 'system', p, 200, true);
    if (code !== undefined && system !== undefined) {
      if (system === FHIR_SYSTEM.UCUM && UCUM_TO_SNOMED_UNIT[code]) unit = UCUM_TO_SNOMED_UNIT[code];
      else if (system === FHIR_SYSTEM.SNOMED && SCTID.test(code)) unit = { code, term: r.text(dq, 'unit', p, 100) ?? code };
      else r.fault(`${p}.code`, `Must be a UCUM unit the product knows (ml) or a SNOMED CT unit.`);
    }
  }

  let performerName: string | null = null;
  let organisationCode: string | null = null;
  r.arr(imm, 'performer', path)?.forEach((perf, i) => {
    const p = `${path}.performer[${i}]`;
    if (!isObj(perf)) return r.fault(p, 'Must be an object.');
    const actor = r.obj(perf, 'actor', p, true);
    if (!actor) return;
    if (typeof actor.reference === 'string') {
      const res = resolve(actor.reference, contained, bundle);
      if (!res) return r.fault(`${p}.actor.reference`, `No contained or bundled resource ${actor.reference}.`);
      if (res.resourceType === 'Practitioner') {
        const { family, given } = personName(r, res, `${p}.actor(${actor.reference})`, false);
        const name = [given, family].filter(Boolean).join(' ');
        if (name) performerName = name.slice(0, 200);
      }
      return;
    }
    const id = r.obj(actor, 'identifier', `${p}.actor`);
    if (id && id.system === FHIR_SYSTEM.ODS) {
      const v = r.text(id, 'value', `${p}.actor.identifier`, 10, true);
      if (v !== undefined && !ODS.test(v)) r.fault(`${p}.actor.identifier.value`, 'Must be an ODS code (3 to 10 letters and digits).');
      else if (v !== undefined) organisationCode = v;
    }
  });

  let locationCode: string | null = null;
  let locationType: 'ODS' | 'URN' | null = null;
  const loc = r.obj(imm, 'location', path);
  if (loc) {
    const id = r.obj(loc, 'identifier', `${path}.location`, true);
    if (id) {
      const p = `${path}.location.identifier`;
      const system = r.text(id, 'system', p, 200, true);
      const v = r.text(id, 'value', p, 10, true);
      if (system !== undefined && v !== undefined) {
        if (system === FHIR_SYSTEM.ODS && ODS.test(v)) [locationCode, locationType] = [v, 'ODS'];
        else if (system === FHIR_SYSTEM.SCHOOL_URN && URN.test(v)) [locationCode, locationType] = [v, 'URN'];
        else if (system !== FHIR_SYSTEM.ODS && system !== FHIR_SYSTEM.SCHOOL_URN)
          r.fault(`${p}.system`, 'Must be an ODS code or a school URN system.');
        else r.fault(`${p}.value`, system === FHIR_SYSTEM.ODS ? 'Must be an ODS code.' : 'Must be a school URN (6 digits).');
      }
    }
  }

  const indications: string[] = [];
  r.arr(imm, 'reasonCode', path)?.forEach((rc, i) => {
    if (!isObj(rc)) return r.fault(`${path}.reasonCode[${i}]`, 'Must be an object.');
    const c = r.snomed(rc, `${path}.reasonCode[${i}]`, 'indication');
    if (c) indications.push(c.code);
  });

  let doseSequence: number | null = null;
  const pa = r.arr(imm, 'protocolApplied', path);
  if (pa) {
    const first = pa[0];
    if (!isObj(first)) r.fault(`${path}.protocolApplied[0]`, 'Must be an object.');
    else if (first.doseNumberPositiveInt !== undefined) {
      const n = first.doseNumberPositiveInt;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 20)
        r.fault(`${path}.protocolApplied[0].doseNumberPositiveInt`, 'Must be a whole number from 1 to 20.');
      else doseSequence = n;
    } else if (first.doseNumberString === undefined) {
      r.fault(`${path}.protocolApplied[0].doseNumber[x]`, 'Required: doseNumberPositiveInt or doseNumberString.');
    }
  }

  if (r.issues.length > before || !status || !sourceSystem || !sourceId || !person || !occurrence || primarySource === undefined)
    return undefined;
  if (status === 'completed' && !productCode) return undefined;
  const notes = [
    procedureCode ? `Vaccination procedure (SNOMED CT): ${procedureCode}` : null,
    indications.length ? `Indication (SNOMED CT): ${indications.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join('. ');
  return {
    path,
    person,
    enteredInError: status === 'entered-in-error',
    procedureCode,
    event: {
      source_system: sourceSystem,
      source_id: sourceId,
      outcome: notDone ? 'NOT_GIVEN' : 'GIVEN',
      not_given_reason: notDone ? (reason ?? null) : null,
      occurred_at: occurrence.at,
      occurred_on: occurrence.on,
      dose_sequence: doseSequence,
      product_code: productCode,
      batch_number: notDone ? null : batch,
      expiry_date: notDone ? null : expiry,
      site_code: siteCoding?.code ?? null,
      // Codes the product knows take its own SNOMED terms (one vocabulary); others keep the sender's.
      site_term: siteCoding ? (termOf(SITE_SNOMED_TERMS, siteCoding.code) ?? siteCoding.display ?? siteCoding.code) : null,
      route_code: routeCoding?.code ?? null,
      route_term: routeCoding ? (termOf(ROUTE_LABELS, routeCoding.code) ?? routeCoding.display ?? routeCoding.code) : null,
      dose_amount: unit ? doseAmount : null,
      dose_unit_code: doseAmount !== null ? (unit?.code ?? null) : null,
      dose_unit_term: doseAmount !== null ? (unit?.term ?? null) : null,
      performer_name: performerName,
      location_code: locationCode,
      location_type: locationType,
      organisation_code: organisationCode,
      primary_source: false,
      reported_by: 'OTHER_PROVIDER',
      notes: notes || null,
    },
  };
}

/**
 * Parses an Immunization or a Bundle (transaction or collection) of them. `today` is England's
 * date (nothing may happen after it). Events from another system are recorded as reported
 * (primary source false here, whoever gave them there), so they never claim to be this
 * service's own doses; the sender's primarySource is still validated as the profile requires.
 */
export function parseFhirImmunizations(input: unknown, today: string): FhirParse {
  const r = new Reader(today);
  if (!isObj(input)) return { ok: false, issues: [{ path: '$', message: 'Must be a FHIR resource (a JSON object).' }] };
  const items: IncomingImmunization[] = [];
  if (input.resourceType === 'Immunization') {
    const item = readImmunization(r, input, 'Immunization', new Map());
    if (item) items.push(item);
  } else if (input.resourceType === 'Bundle') {
    const type = r.text(input, 'type', 'Bundle', 20, true);
    if (type !== undefined && type !== 'transaction' && type !== 'collection') r.fault('Bundle.type', 'Must be transaction or collection.');
    const entries = r.arr(input, 'entry', 'Bundle', true) ?? [];
    if (entries.length > MAX_ENTRIES) r.fault('Bundle.entry', `At most ${MAX_ENTRIES} entries in one bundle.`);
    const byUrl = new Map<string, Obj>();
    entries.slice(0, MAX_ENTRIES).forEach((e) => {
      if (!isObj(e) || !isObj(e.resource)) return;
      if (typeof e.fullUrl === 'string') byUrl.set(e.fullUrl, e.resource);
    });
    const seen = new Map<string, number>();
    entries.slice(0, MAX_ENTRIES).forEach((e, i) => {
      const p = `Bundle.entry[${i}]`;
      if (!isObj(e)) return r.fault(p, 'Must be an object.');
      const res = r.obj(e, 'resource', p, true);
      if (!res) return;
      if (type === 'transaction') {
        const req = r.obj(e, 'request', p, true);
        if (req) {
          const method = r.text(req, 'method', `${p}.request`, 10, true);
          if (method !== undefined && method !== 'POST' && method !== 'PUT') r.fault(`${p}.request.method`, 'Must be POST or PUT.');
        }
      }
      if (res.resourceType === 'Patient' || res.resourceType === 'Practitioner') return;
      if (res.resourceType !== 'Immunization')
        return r.fault(`${p}.resource.resourceType`, 'Must be Immunization (or a Patient or Practitioner it refers to).');
      const item = readImmunization(r, res, `${p}.resource`, byUrl);
      if (!item) return;
      const key = `${item.event.source_system}|${item.event.source_id}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) return r.fault(`${p}.resource.identifier[0]`, `The same identifier as Bundle.entry[${earlier}].`);
      seen.set(key, i);
      items.push(item);
    });
    if (r.issues.length === 0 && items.length === 0) r.fault('Bundle.entry', 'Has no Immunization.');
  } else {
    r.fault('resourceType', 'Must be Immunization or Bundle.');
  }
  if (r.issues.length > 0) return { ok: false, issues: r.issues };
  return { ok: true, items };
}

/** Parses JSON text first (a pasted or opened file), reporting where it is not JSON. */
export function parseFhirText(text: string, today: string): FhirParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: '$', message: `Not JSON: ${(error as Error).message}` }] };
  }
  return parseFhirImmunizations(json, today);
}

/** A stable digest input: the event's columns and the person as sent, in a fixed key order. */
export function canonicalPayload(item: IncomingImmunization): string {
  const e = item.event as unknown as Record<string, unknown>;
  const p = item.person as unknown as Record<string, unknown>;
  const sorted = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  return JSON.stringify({ event: sorted(e), person: sorted(p) });
}

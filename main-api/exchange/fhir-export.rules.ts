// A person's or a period's vaccination events as a FHIR R4 collection Bundle: one Patient per
// person, an Immunization per event (UK Core shape: the VaccinationProcedure extension, dm+d
// vaccine code, the sender's identifier), doses not given as status not-done with a statusReason,
// entered-in-error events as such, and, for partners who take them, reactions as AdverseEvent
// resources linked to their Immunization (and Immunization.reaction). Pure; the ids come from
// the caller so the same data gives the same bundle in a test.
import { FHIR_SYSTEM, GENDER_TO_FHIR, NOT_GIVEN_TO_ACT_REASON, VACCINATION_PROCEDURE_EXTENSION } from '../shared/vocabulary/exchange';
import { NOT_GIVEN_REASON_LABELS, type NotGivenReason } from '../shared/vocabulary/vaccination';
import { REACTION_LABELS, type ReactionCode } from '../shared/vocabulary/reactions';

export interface ExportPerson {
  id: number;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  genderCode: string;
  postcode: string | null;
  practiceCode: string | null;
}

/** An event row as api.exchange_fhir_events answers it (the table's columns and a few more). */
export interface ExportEvent {
  id: number;
  person_id: number;
  outcome: 'GIVEN' | 'NOT_GIVEN';
  not_given_reason: NotGivenReason | null;
  occurred_at: string | null;
  occurred_on: string;
  recorded_at: string;
  dose_sequence: number | null;
  product_code: string | null;
  product_name: string | null;
  procedure_code: string | null;
  procedure_term: string | null;
  batch_number: string | null;
  expiry_date: string | null;
  site_code: string | null;
  site_term: string | null;
  route_code: string | null;
  route_term: string | null;
  dose_amount: number | string | null;
  dose_unit_code: string | null;
  dose_unit_term: string | null;
  performer_name: string | null;
  location_code: string | null;
  location_type: 'ODS' | 'URN' | null;
  organisation_code: string | null;
  primary_source: boolean;
  source_system: string;
  source_id: string;
  status: 'ACTIVE' | 'SUPERSEDED' | 'ENTERED_IN_ERROR';
}

export interface ExportReaction {
  id: number;
  person_id: number;
  vaccination_event_id: number;
  onset_at: string;
  reaction_code: ReactionCode;
  description: string | null;
  seriousness: string;
  outcome: string;
}

export interface ExportOptions {
  /** Doses not given (status not-done). The national service takes completed doses only. */
  includeNotGiven: boolean;
  /** Reactions, as AdverseEvent resources and Immunization.reaction, for partners who accept them. */
  includeReactions: boolean;
  /** A fresh id (a UUID) for each resource's fullUrl. */
  newId: () => string;
  /** The bundle's timestamp (an instant). */
  timestamp: string;
}

type Resource = Record<string, unknown>;
export interface Bundle {
  resourceType: 'Bundle';
  type: 'collection';
  timestamp: string;
  entry: { fullUrl: string; resource: Resource }[];
}

const snomed = (code: string, display: string | null) => ({
  coding: [display ? { system: FHIR_SYSTEM.SNOMED, code, display } : { system: FHIR_SYSTEM.SNOMED, code }],
});

// R4's adverse-event outcome codes for the register's reaction outcomes.
const REACTION_OUTCOME: Readonly<Record<string, string>> = {
  RECOVERED: 'resolved',
  RECOVERING: 'recovering',
  NOT_RECOVERED: 'ongoing',
  RECOVERED_WITH_SEQUELAE: 'resolvedWithSequelae',
  FATAL: 'fatal',
  UNKNOWN: 'unknown',
};

function patient(p: ExportPerson): Resource {
  const r: Resource = {
    resourceType: 'Patient',
    identifier: [{ system: FHIR_SYSTEM.NHS_NUMBER, value: p.nhsNumber }],
    name: [{ use: 'official', family: p.familyName, given: p.givenName.split(/\s+/).filter(Boolean) }],
    gender: GENDER_TO_FHIR[p.genderCode] ?? 'unknown',
    birthDate: p.dateOfBirth,
  };
  if (p.postcode) r.address = [{ postalCode: p.postcode }];
  if (p.practiceCode) r.generalPractitioner = [{ type: 'Organization', identifier: { system: FHIR_SYSTEM.ODS, value: p.practiceCode } }];
  return r;
}

function immunization(e: ExportEvent, patientUrl: string, reactions: { date: string }[]): Resource {
  const r: Resource = { resourceType: 'Immunization' };
  const system = e.source_system === 'IMS' ? FHIR_SYSTEM.IMS_EVENT : e.source_system;
  if (e.procedure_code)
    r.extension = [{ url: VACCINATION_PROCEDURE_EXTENSION, valueCodeableConcept: snomed(e.procedure_code, e.procedure_term) }];
  r.identifier = [{ system, value: e.source_id }];
  r.status = e.status === 'ENTERED_IN_ERROR' ? 'entered-in-error' : e.outcome === 'GIVEN' ? 'completed' : 'not-done';
  if (e.outcome === 'NOT_GIVEN' && e.not_given_reason) {
    r.statusReason = {
      coding: [
        { system: FHIR_SYSTEM.ACT_REASON, code: NOT_GIVEN_TO_ACT_REASON[e.not_given_reason] },
        { system: FHIR_SYSTEM.NOT_GIVEN_REASON, code: e.not_given_reason, display: NOT_GIVEN_REASON_LABELS[e.not_given_reason] },
      ],
      text: NOT_GIVEN_REASON_LABELS[e.not_given_reason],
    };
  }
  // vaccineCode is required: a dose not given without a product says so in words.
  r.vaccineCode =
    e.product_code && /^[0-9]+$/.test(e.product_code)
      ? snomed(e.product_code, e.product_name)
      : { text: e.product_name ?? 'Vaccine not recorded' };
  r.patient = { reference: patientUrl };
  r.occurrenceDateTime = e.occurred_at ? new Date(e.occurred_at).toISOString().replace('.000Z', '+00:00') : e.occurred_on;
  r.recorded = new Date(e.recorded_at).toISOString().replace('.000Z', '+00:00');
  r.primarySource = e.primary_source;
  if (e.location_code)
    r.location = { identifier: { system: e.location_type === 'URN' ? FHIR_SYSTEM.SCHOOL_URN : FHIR_SYSTEM.ODS, value: e.location_code } };
  if (e.batch_number) r.lotNumber = e.batch_number;
  if (e.expiry_date) r.expirationDate = e.expiry_date;
  if (e.site_code) r.site = snomed(e.site_code, e.site_term);
  if (e.route_code) r.route = snomed(e.route_code, e.route_term);
  if (e.dose_amount !== null && e.dose_unit_code)
    r.doseQuantity = {
      value: Number(e.dose_amount),
      ...(e.dose_unit_term ? { unit: e.dose_unit_term } : {}),
      system: FHIR_SYSTEM.SNOMED,
      code: e.dose_unit_code,
    };
  const performer: Resource[] = [];
  if (e.performer_name) performer.push({ actor: { display: e.performer_name } });
  if (e.organisation_code)
    performer.push({ actor: { type: 'Organization', identifier: { system: FHIR_SYSTEM.ODS, value: e.organisation_code } } });
  if (performer.length) r.performer = performer;
  // R4's reaction.detail may only name an Observation: the AdverseEvent names the Immunization instead.
  if (reactions.length) r.reaction = reactions.map((x) => ({ date: x.date, reported: false }));
  if (e.dose_sequence !== null) r.protocolApplied = [{ doseNumberPositiveInt: e.dose_sequence }];
  return r;
}

function adverseEvent(a: ExportReaction, patientUrl: string, immunizationUrl: string): Resource {
  const serious = a.seriousness !== 'NOT_SERIOUS';
  return {
    resourceType: 'AdverseEvent',
    actuality: 'actual',
    event: {
      coding: [{ system: FHIR_SYSTEM.REACTION, code: a.reaction_code, display: REACTION_LABELS[a.reaction_code] }],
      text: a.description ?? REACTION_LABELS[a.reaction_code],
    },
    subject: { reference: patientUrl },
    date: new Date(a.onset_at).toISOString().replace('.000Z', '+00:00'),
    seriousness: {
      coding: [{ system: FHIR_SYSTEM.ADVERSE_EVENT_SERIOUSNESS, code: serious ? 'serious' : 'non-serious' }],
    },
    outcome: { coding: [{ system: FHIR_SYSTEM.ADVERSE_EVENT_OUTCOME, code: REACTION_OUTCOME[a.outcome] ?? 'unknown' }] },
    suspectEntity: [{ instance: { reference: immunizationUrl } }],
  };
}

export function buildBundle(
  data: { persons: ExportPerson[]; events: ExportEvent[]; reactions: ExportReaction[] },
  options: ExportOptions,
): Bundle {
  const entry: Bundle['entry'] = [];
  const patientUrl = new Map<number, string>();
  for (const p of data.persons) {
    const url = `urn:uuid:${options.newId()}`;
    patientUrl.set(p.id, url);
    entry.push({ fullUrl: url, resource: patient(p) });
  }
  for (const e of data.events) {
    if (e.status === 'SUPERSEDED') continue;
    if (e.outcome === 'NOT_GIVEN' && !options.includeNotGiven) continue;
    const pUrl = patientUrl.get(e.person_id);
    if (!pUrl) continue;
    const url = `urn:uuid:${options.newId()}`;
    const reactions =
      options.includeReactions && e.outcome === 'GIVEN' ? data.reactions.filter((a) => a.vaccination_event_id === e.id) : [];
    const linked = reactions.map((a) => ({ reaction: a, url: `urn:uuid:${options.newId()}` }));
    entry.push({
      fullUrl: url,
      resource: immunization(
        e,
        pUrl,
        linked.map((x) => ({ date: new Date(x.reaction.onset_at).toISOString().replace('.000Z', '+00:00') })),
      ),
    });
    for (const x of linked) entry.push({ fullUrl: x.url, resource: adverseEvent(x.reaction, pUrl, url) });
  }
  return { resourceType: 'Bundle', type: 'collection', timestamp: options.timestamp, entry };
}

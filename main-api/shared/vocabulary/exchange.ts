// Codes of vaccination exchange: FHIR systems and codes the product reads and writes, the NHS
// vaccination batch file (v5) layout and vaccine types, and the review queue's states. Written
// once here for the importer, the exporters, the screens and the database's checks.
import type { z } from 'zod';
import { codeSet } from './code-set';
import type { NotGivenReason } from './vaccination';

export const FHIR_SYSTEM = {
  SNOMED: 'http://snomed.info/sct',
  NHS_NUMBER: 'https://fhir.nhs.uk/Id/nhs-number',
  ODS: 'https://fhir.nhs.uk/Id/ods-organization-code',
  SCHOOL_URN: 'https://fhir.hl7.org.uk/Id/urn-school-number',
  UCUM: 'http://unitsofmeasure.org',
  ACT_REASON: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  ADVERSE_EVENT_OUTCOME: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome',
  ADVERSE_EVENT_SERIOUSNESS: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness',
  /** This product's own code systems, for what national value sets cannot say. */
  NOT_GIVEN_REASON: 'urn:ims:fhir:not-given-reason',
  REACTION: 'urn:ims:fhir:reaction',
  /** The identifier system of events first recorded in this product (replace with the agreed URI). */
  IMS_EVENT: 'urn:ims:vaccination-event',
} as const;

export const VACCINATION_PROCEDURE_EXTENSION = 'https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-VaccinationProcedure';

/** FHIR administrative gender and the NHS Data Dictionary's person stated gender code. */
export const GENDER_FROM_FHIR: Readonly<Record<string, '0' | '1' | '2' | '9'>> = { male: '1', female: '2', other: '9', unknown: '0' };
export const GENDER_TO_FHIR: Readonly<Record<string, 'male' | 'female' | 'other' | 'unknown'>> = {
  '1': 'male',
  '2': 'female',
  '9': 'other',
  '0': 'unknown',
};

/**
 * Why a dose was not given, in R4's example status reason codes (v3 ActReason). The product's
 * own code goes alongside, since IMMUNE and MEDPREC each stand for more than one of ours.
 */
export const NOT_GIVEN_TO_ACT_REASON: Readonly<Record<NotGivenReason, string>> = {
  DECLINED: 'PATOBJ',
  CONTRAINDICATED: 'MEDPREC',
  UNWELL: 'MEDPREC',
  ABSENT: 'PATOBJ',
  ALREADY_GIVEN: 'IMMUNE',
};
export const ACT_REASON_TO_NOT_GIVEN: Readonly<Record<string, NotGivenReason>> = {
  PATOBJ: 'DECLINED',
  MEDPREC: 'CONTRAINDICATED',
  IMMUNE: 'ALREADY_GIVEN',
  OSTOCK: 'UNWELL',
};

/** Dose units in UCUM that the register keeps as SNOMED CT. */
export const UCUM_TO_SNOMED_UNIT: Readonly<Record<string, { code: string; term: string }>> = {
  ml: { code: '258773002', term: 'Millilitre' },
  mL: { code: '258773002', term: 'Millilitre' },
};

/** The 34 columns of the NHS vaccination batch file v5, in order. */
export const V5_COLUMNS = [
  'NHS_NUMBER',
  'PERSON_FORENAME',
  'PERSON_SURNAME',
  'PERSON_DOB',
  'PERSON_GENDER_CODE',
  'PERSON_POSTCODE',
  'DATE_AND_TIME',
  'SITE_CODE',
  'SITE_CODE_TYPE_URI',
  'UNIQUE_ID',
  'UNIQUE_ID_URI',
  'ACTION_FLAG',
  'PERFORMING_PROFESSIONAL_FORENAME',
  'PERFORMING_PROFESSIONAL_SURNAME',
  'RECORDED_DATE',
  'PRIMARY_SOURCE',
  'VACCINATION_PROCEDURE_CODE',
  'VACCINATION_PROCEDURE_TERM',
  'DOSE_SEQUENCE',
  'VACCINE_PRODUCT_CODE',
  'VACCINE_PRODUCT_TERM',
  'VACCINE_MANUFACTURER',
  'BATCH_NUMBER',
  'EXPIRY_DATE',
  'SITE_OF_VACCINATION_CODE',
  'SITE_OF_VACCINATION_TERM',
  'ROUTE_OF_VACCINATION_CODE',
  'ROUTE_OF_VACCINATION_TERM',
  'DOSE_AMOUNT',
  'DOSE_UNIT_CODE',
  'DOSE_UNIT_TERM',
  'INDICATION_CODE',
  'LOCATION_CODE',
  'LOCATION_CODE_TYPE_URI',
] as const;
export type V5Column = (typeof V5_COLUMNS)[number];

export const [V5_ACTIONS, V5Action] = codeSet({ NEW: 'New', UPDATE: 'Update', DELETE: 'Delete' });
export type V5Action = z.infer<typeof V5Action>;

/** The vaccine types a v5 file's name may carry (NHS England's list). */
export const V5_FILE_VACCINE_TYPES = [
  '3IN1',
  '4IN1',
  '6IN1',
  'BCG',
  'COVID',
  'FLU',
  'HEPB',
  'HIB',
  'HIBMENC',
  'HPV',
  'MENACWY',
  'MENB',
  'MMR',
  'MMRV',
  'PNEUMOCOCCAL',
  'PERTUSSIS',
  'ROTAVIRUS',
  'RSV',
  'SHINGLES',
] as const;

/**
 * The batch file's vaccine type for each product type of ims.vaccine_product (the file name's
 * first part), or null for a type the national files have none for: a 5-in-1 dose is only ever
 * a record of a dose given abroad, never this organisation's to send.
 */
export const V5_VACCINE_TYPE: Readonly<Record<string, (typeof V5_FILE_VACCINE_TYPES)[number] | null>> = {
  '5-in-1': null,
  '6-in-1': '6IN1',
  '4-in-1': '4IN1',
  'Td/IPV (3-in-1)': '3IN1',
  MenB: 'MENB',
  Rotavirus: 'ROTAVIRUS',
  PCV: 'PNEUMOCOCCAL',
  PPV23: 'PNEUMOCOCCAL',
  'Hib/MenC': 'HIBMENC',
  MMR: 'MMR',
  MMRV: 'MMRV',
  HPV: 'HPV',
  MenACWY: 'MENACWY',
  'Flu (LAIV)': 'FLU',
  'Flu (cell-based, inactivated)': 'FLU',
  'Flu (egg-based, inactivated)': 'FLU',
  'Flu (adjuvanted, inactivated)': 'FLU',
  'COVID-19 (mRNA)': 'COVID',
  Shingles: 'SHINGLES',
  RSV: 'RSV',
  'Hepatitis B': 'HEPB',
  BCG: 'BCG',
};

export const [REVIEW_STATUSES, ReviewStatus] = codeSet({
  PENDING: 'Waiting for review',
  ACCEPTED: 'Attached to a person',
  REJECTED: 'Rejected',
  NEW_PERSON: 'Attached to a newly registered person',
});
export type ReviewStatus = z.infer<typeof ReviewStatus>;

/** What a review item is about: an incoming vaccination, or a row of a school class list. */
export const [REVIEW_KINDS, ReviewKind] = codeSet({
  VACCINATION: 'Incoming vaccination',
  CLASS_LIST: 'Class list row',
});
export type ReviewKind = z.infer<typeof ReviewKind>;

export const [, ImportOutcome, IMPORT_OUTCOME_LABELS] = codeSet({
  CREATED: 'Recorded',
  UPDATED: 'Updated (replaces the earlier version)',
  UNCHANGED: 'Already recorded, unchanged',
  ENTERED_IN_ERROR: 'Marked entered in error',
  REVIEW: 'Waiting for review: the person is not certain',
  IGNORED: 'Nothing to do',
});
export type ImportOutcome = z.infer<typeof ImportOutcome>;

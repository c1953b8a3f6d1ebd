// Codes on a vaccination event and the reference data behind it: outcome, why a vaccination
// was not given, the legal basis, the record's status, programme kinds, how far a product
// code can be trusted, and where a vaccination took place. Each matches a CHECK constraint in
// migrations/0003_vaccination_records.sql (vocabulary.integration.test.ts compares them).
import { z } from 'zod';

export const OUTCOMES = ['GIVEN', 'NOT_GIVEN'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const OUTCOME_LABELS: Record<Outcome, string> = {
  GIVEN: 'Given',
  NOT_GIVEN: 'Not given',
};

export const NOT_GIVEN_REASONS = ['DECLINED', 'CONTRAINDICATED', 'UNWELL', 'ABSENT', 'ALREADY_GIVEN'] as const;
export const NotGivenReason = z.enum(NOT_GIVEN_REASONS);
export type NotGivenReason = z.infer<typeof NotGivenReason>;

// Parents read these on the printed record, so the clinical word comes with a plain one.
export const NOT_GIVEN_REASON_LABELS: Record<NotGivenReason, string> = {
  DECLINED: 'Declined',
  CONTRAINDICATED: 'Not suitable (contraindicated)',
  UNWELL: 'Unwell on the day',
  ABSENT: 'Absent',
  ALREADY_GIVEN: 'Already given elsewhere',
};

export const LEGAL_BASES = ['PGD', 'PSD', 'NATIONAL_PROTOCOL', 'OTHER'] as const;
export const LegalBasis = z.enum(LEGAL_BASES);
export type LegalBasis = z.infer<typeof LegalBasis>;

export const LEGAL_BASIS_LABELS: Record<LegalBasis, string> = {
  PGD: 'Patient group direction (PGD)',
  PSD: 'Patient specific direction (PSD)',
  NATIONAL_PROTOCOL: 'National protocol',
  OTHER: 'Other',
};

export const EVENT_STATUSES = ['ACTIVE', 'SUPERSEDED', 'ENTERED_IN_ERROR'] as const;
export const EventStatus = z.enum(EVENT_STATUSES);
export type EventStatus = z.infer<typeof EventStatus>;

export const EVENT_STATUS_LABELS: Record<EventStatus, string> = {
  ACTIVE: 'Current',
  SUPERSEDED: 'Replaced by a correction',
  ENTERED_IN_ERROR: 'Entered in error',
};

/** Kinds of programme (ims.programme.kind). Programme codes themselves are rows that grow each season. */
export const PROGRAMME_KINDS = ['ROUTINE_CHILDHOOD', 'SCHOOL_AGED', 'ADULT', 'SEASONAL_FLU', 'COVID19', 'STAFF'] as const;
export const ProgrammeKind = z.enum(PROGRAMME_KINDS);
export type ProgrammeKind = z.infer<typeof ProgrammeKind>;

export const PROGRAMME_KIND_LABELS: Record<ProgrammeKind, string> = {
  ROUTINE_CHILDHOOD: 'Routine childhood',
  SCHOOL_AGED: 'School-aged',
  ADULT: 'Adult',
  SEASONAL_FLU: 'Seasonal flu',
  COVID19: 'COVID-19',
  STAFF: 'Health and social care staff',
};

/** CONFIRMED dm+d code, TO_CHECK against dm+d before export, or a LOCAL placeholder. */
export const PRODUCT_CODE_STATUSES = ['CONFIRMED', 'TO_CHECK', 'LOCAL'] as const;
export const ProductCodeStatus = z.enum(PRODUCT_CODE_STATUSES);
export type ProductCodeStatus = z.infer<typeof ProductCodeStatus>;

export const PRODUCT_CODE_STATUS_LABELS: Record<ProductCodeStatus, string> = {
  CONFIRMED: 'dm+d code confirmed',
  TO_CHECK: 'dm+d code to check before export',
  LOCAL: 'Local code, not in dm+d',
};

/** Which dose a product's SNOMED procedure code describes (ims.product_procedure.applies_to). */
export const PROCEDURE_DOSES = ['DOSE_1', 'DOSE_2', 'OTHER'] as const;
export const ProcedureDose = z.enum(PROCEDURE_DOSES);
export type ProcedureDose = z.infer<typeof ProcedureDose>;

export const PROCEDURE_DOSE_LABELS: Record<ProcedureDose, string> = {
  DOSE_1: 'First dose',
  DOSE_2: 'Second dose',
  OTHER: 'Any dose',
};

/** How the place of vaccination is identified: an organisation's ODS code or a school's URN. */
export const LOCATION_TYPES = ['ODS', 'URN'] as const;
export const LocationType = z.enum(LOCATION_TYPES);
export type LocationType = z.infer<typeof LocationType>;

export const LOCATION_TYPE_LABELS: Record<LocationType, string> = {
  ODS: 'ODS code',
  URN: 'School URN',
};

/**
 * Who told this service about a dose given elsewhere (ims.vaccination_event.reported_by). The
 * person who gave such a dose is recorded separately, and only when the report names them.
 */
export const REPORT_SOURCES = ['PARENT_HELD_RECORD', 'GP', 'OTHER_PROVIDER'] as const;
export const ReportSource = z.enum(REPORT_SOURCES);
export type ReportSource = z.infer<typeof ReportSource>;

export const REPORT_SOURCE_LABELS: Record<ReportSource, string> = {
  PARENT_HELD_RECORD: 'Parent-held record (red book)',
  GP: 'GP practice',
  OTHER_PROVIDER: 'Another provider',
};

/** The words for the person named on an event: who gave the dose, or who offered one not given. */
export const PERFORMER_HEADINGS: Record<Outcome, string> = {
  GIVEN: 'Given by',
  NOT_GIVEN: 'Offered by',
};

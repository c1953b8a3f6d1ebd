// Codes on a vaccination event and the reference data behind it: outcome, why a vaccination
// was not given, the legal basis, the record's status, programme kinds, how far a product
// code can be trusted, and where a vaccination took place. Each matches a CHECK constraint in
// migrations/0003_vaccination_records.sql (vocabulary.integration.test.ts compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';
import { addMonthsDays, formatDay, formatLongDate, requireDay } from '../calendar/dates';

export const [OUTCOMES, Outcome, OUTCOME_LABELS] = codeSet({
  GIVEN: 'Given',
  NOT_GIVEN: 'Not given',
});
export type Outcome = z.infer<typeof Outcome>;

// Parents read these on the printed record, so the clinical word comes with a plain one.
export const [NOT_GIVEN_REASONS, NotGivenReason, NOT_GIVEN_REASON_LABELS] = codeSet({
  DECLINED: 'Declined',
  CONTRAINDICATED: 'Not suitable (contraindicated)',
  UNWELL: 'Unwell on the day',
  ABSENT: 'Absent',
  ALREADY_GIVEN: 'Already given elsewhere',
});
export type NotGivenReason = z.infer<typeof NotGivenReason>;

export const [LEGAL_BASES, LegalBasis, LEGAL_BASIS_LABELS] = codeSet({
  PGD: 'Patient group direction (PGD)',
  PSD: 'Patient specific direction (PSD)',
  NATIONAL_PROTOCOL: 'National protocol',
  OTHER: 'Other',
});
export type LegalBasis = z.infer<typeof LegalBasis>;

export const [EVENT_STATUSES, EventStatus, EVENT_STATUS_LABELS] = codeSet({
  ACTIVE: 'Current',
  SUPERSEDED: 'Replaced by a correction',
  ENTERED_IN_ERROR: 'Entered in error',
});
export type EventStatus = z.infer<typeof EventStatus>;

/** Kinds of programme (ims.programme.kind). Programme codes themselves are rows that grow each season. */
export const [PROGRAMME_KINDS, ProgrammeKind, PROGRAMME_KIND_LABELS] = codeSet({
  ROUTINE_CHILDHOOD: 'Routine childhood',
  SCHOOL_AGED: 'School-aged',
  ADULT: 'Adult',
  SEASONAL_FLU: 'Seasonal flu',
  COVID19: 'COVID-19',
  STAFF: 'Health and social care staff',
});
export type ProgrammeKind = z.infer<typeof ProgrammeKind>;

/** CONFIRMED dm+d code, TO_CHECK against dm+d before export, or a LOCAL placeholder. */
export const [PRODUCT_CODE_STATUSES, ProductCodeStatus, PRODUCT_CODE_STATUS_LABELS] = codeSet({
  CONFIRMED: 'dm+d code confirmed',
  TO_CHECK: 'dm+d code to check before export',
  LOCAL: 'Local code, not in dm+d',
});
export type ProductCodeStatus = z.infer<typeof ProductCodeStatus>;

/** Which dose a product's SNOMED procedure code describes (ims.product_procedure.applies_to). */
export const [PROCEDURE_DOSES, ProcedureDose, PROCEDURE_DOSE_LABELS] = codeSet({
  DOSE_1: 'First dose',
  DOSE_2: 'Second dose',
  OTHER: 'Any dose',
});
export type ProcedureDose = z.infer<typeof ProcedureDose>;

/** How the place of vaccination is identified: an organisation's ODS code or a school's URN. */
export const [LOCATION_TYPES, LocationType, LOCATION_TYPE_LABELS] = codeSet({
  ODS: 'ODS code',
  URN: 'School URN',
});
export type LocationType = z.infer<typeof LocationType>;

/**
 * Who told this service about a dose given elsewhere (ims.vaccination_event.reported_by). The
 * person who gave such a dose is recorded separately, and only when the report names them.
 */
export const [REPORT_SOURCES, ReportSource, REPORT_SOURCE_LABELS] = codeSet({
  PARENT_HELD_RECORD: 'Parent-held record (red book)',
  GP: 'GP practice',
  OTHER_PROVIDER: 'Another provider',
  // A dose given in another country: the name is the country (a mover in's overseas record).
  OVERSEAS: 'Given abroad (overseas record)',
});
export type ReportSource = z.infer<typeof ReportSource>;

/** The words for the person named on an event: who gave the dose, or who offered one not given. */
export const PERFORMER_HEADINGS: Record<Outcome, string> = {
  GIVEN: 'Given by',
  NOT_GIVEN: 'Offered by',
};

/**
 * Where a record came from, in the words the history and the printed record both use: given
 * here, or who reported it. Records made before reporters were kept name their source system.
 */
export function sourceLabel(e: {
  primarySource: boolean;
  sourceSystem: string;
  reportedBy: { kind: ReportSource; name: string | null } | null;
}): string {
  if (e.primarySource) return 'Given here';
  if (e.reportedBy?.kind === 'OVERSEAS') return e.reportedBy.name ? `Given abroad (${e.reportedBy.name})` : 'Given abroad';
  if (e.reportedBy) {
    const kind = REPORT_SOURCE_LABELS[e.reportedBy.kind];
    if (e.reportedBy.name) return `Reported by ${e.reportedBy.name} (${kind})`;
    // 'Another provider' reads 'another provider' mid-sentence; 'GP practice' keeps its capitals.
    return `Reported by ${/^[A-Z][a-z]/.test(kind) ? kind.charAt(0).toLowerCase() + kind.slice(1) : kind}`;
  }
  const name = e.sourceSystem.trim();
  return name && name !== 'IMS' ? `Reported by ${name}` : 'Reported from elsewhere';
}

/** The names of an event's details, wherever they are listed or compared (history, corrections). */
export const EVENT_FIELD_LABELS = {
  outcome: 'Outcome',
  notGivenReason: 'Reason not given',
  occurredOn: 'Date',
  product: 'Vaccine',
  doseSequence: 'Dose number',
  batchNumber: 'Batch',
  expiryDate: 'Batch expiry',
  site: 'Site',
  route: 'Route',
  doseAmount: 'Dose',
  source: 'Source',
  location: 'Where',
  programme: 'Programme',
  legalBasis: 'Legal basis',
  notes: 'Notes',
} as const;

/**
 * The longest a batch may still be in date: its expiry is at most this many years after the
 * day it is used (a vaccination) or added to stock. Licensed vaccines keep two to three years,
 * a few up to four; five leaves room and still refuses a typing slip such as 31/12/9999.
 * Migration 0026 holds the same number in CHECK constraints (vocabulary.integration.test.ts).
 */
export const BATCH_SHELF_LIFE_YEARS = 5;

/** The latest plausible expiry for a batch used or added on `onDate` (both ISO days). */
function latestPlausibleExpiry(onDate: string): string {
  return formatDay(addMonthsDays(requireDay(onDate), 12 * BATCH_SHELF_LIFE_YEARS, 0));
}

/**
 * Why an expiry is implausible, in the words the form and the service both use, or null when
 * it is not: at most BATCH_SHELF_LIFE_YEARS after the day the batch is used ('vaccination
 * date') or added to stock ('day it is added').
 */
export function implausibleExpiry(
  batchNumber: string,
  expiryDate: string,
  onDate: string,
  what: 'vaccination date' | 'day it is added',
): string | null {
  if (expiryDate <= latestPlausibleExpiry(onDate)) return null;
  return `Batch ${batchNumber} cannot expire on ${formatLongDate(expiryDate)}: that is more than ${BATCH_SHELF_LIFE_YEARS} years after the ${what} (${formatLongDate(onDate)}). Check the expiry date on the vial.`;
}

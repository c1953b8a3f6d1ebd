// Channels for vaccination records, products, batches and adverse reactions. Spread into
// the main contract; shapes are plain data, dates 'YYYY-MM-DD', instants ISO 8601 strings.
import { z } from 'zod';
import { idempotencyKey, isoDate, type HandlersOf } from './common';
import { ReactionCode, ReactionOutcome, Seriousness } from '../shared/vocabulary/reactions';
import {
  EventStatus,
  LegalBasis,
  LocationType,
  NotGivenReason,
  Outcome,
  ProcedureDose,
  ProductCodeStatus,
  ProgrammeKind,
  ReportSource,
} from '../shared/vocabulary/vaccination';

/** An instant with an explicit offset or Z, so it never depends on the machine's time zone. */
const isoInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/,
    'Use an ISO date and time with a time zone, e.g. 2025-10-01T09:30:00Z',
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), 'Not a real date and time');

const text = (max: number) => z.string().trim().min(1).max(max);
const snomedCode = z.string().regex(/^[0-9]{6,18}$/, 'Use a SNOMED CT code (digits only)');

export const Coding = z.object({ code: snomedCode, term: text(300) });
export type Coding = z.infer<typeof Coding>;

// ---------------------------------------------------------------------------------------
// Programmes, products and batches

export const Programme = z.object({
  code: z.string(),
  name: z.string(),
  kind: ProgrammeKind,
  campaign: z.string().nullable(),
  startDate: isoDate.nullable(),
  endDate: isoDate.nullable(),
  active: z.boolean(),
});
export type Programme = z.infer<typeof Programme>;

export const Product = z.object({
  code: z.string(),
  /** CONFIRMED dm+d code, TO_CHECK against dm+d before export, or a LOCAL placeholder. */
  codeStatus: ProductCodeStatus,
  name: z.string(),
  shortName: z.string(),
  manufacturer: z.string(),
  vaccineType: z.string(),
  antigens: z.array(z.object({ code: z.string(), name: z.string() })),
  defaultRoute: Coding,
  defaultDoseAmount: z.number().nullable(),
  doseUnit: Coding.nullable(),
  procedures: z.array(z.object({ appliesTo: ProcedureDose, code: z.string(), term: z.string() })),
  active: z.boolean(),
});
export type Product = z.infer<typeof Product>;

const ProductListInput = z.object({ includeInactive: z.boolean().default(false) });

export const Batch = z.object({
  id: z.number().int(),
  productCode: z.string(),
  batchNumber: z.string(),
  expiryDate: isoDate,
  /** Expired on the date asked about (today unless given). */
  expired: z.boolean(),
  organisationCode: z.string().nullable(),
  receivedOn: isoDate.nullable(),
});
export type Batch = z.infer<typeof Batch>;

/** Batch numbers are compared as typed on the vial, ignoring case and surrounding spaces. */
const batchNumber = z
  .string()
  .trim()
  .min(1, 'Enter the batch number')
  .max(100)
  .regex(/^[^\r\n\t]+$/, 'A batch number is one line of text')
  .transform((s) => s.toUpperCase());

const BatchListInput = z.object({
  productCode: text(40),
  /** Judge expiry on this date (the vaccination date); today if absent. */
  onDate: isoDate.optional(),
});

const BatchAddInput = z.object({
  productCode: text(40),
  batchNumber,
  expiryDate: isoDate,
  organisationCode: text(20).nullable().default(null),
  receivedOn: isoDate.nullable().default(null),
  idempotencyKey,
});

// ---------------------------------------------------------------------------------------
// Vaccination events

/** Who reported a dose given elsewhere: the kind of source and, if known, which one. */
const Reporter = z.object({ kind: ReportSource, name: text(200).nullable().default(null) });

/** The clinical content of an event: what is recorded and what a correction may change. */
const EventFields = {
  programmeCode: text(40),
  outcome: Outcome,
  notGivenReason: NotGivenReason.nullable().default(null),
  /** When it happened, if known to the minute; historical records may have a date only. */
  occurredAt: isoInstant.nullable().default(null),
  /** The clinical date in England. Derived from occurredAt when omitted. */
  occurredOn: isoDate.nullable().default(null),
  doseSequence: z.number().int().min(1).max(20).nullable().default(null),
  productCode: text(40).nullable().default(null),
  /**
   * The batch used: an existing batch id, or the number as typed. A number not yet known for
   * the product is added when its expiry date is supplied.
   */
  batch: z
    .object({ id: z.number().int().optional(), batchNumber: batchNumber.optional(), expiryDate: isoDate.optional() })
    .refine((b) => b.id !== undefined || b.batchNumber !== undefined, 'Give the batch number')
    .nullable()
    .default(null),
  site: Coding.nullable().default(null),
  /** Defaults to the product's route. */
  route: Coding.nullable().default(null),
  /** Defaults to the product's dose. */
  doseAmount: z.number().positive().max(10).nullable().default(null),
  doseUnit: Coding.nullable().default(null),
  performer: z
    .object({ name: text(200), role: text(100).nullable().default(null) })
    .nullable()
    .default(null),
  location: z
    .object({ code: text(20), type: LocationType })
    .nullable()
    .default(null),
  organisationCode: text(20).nullable().default(null),
  legalBasis: LegalBasis.nullable().default(null),
  /** true: given by this service; false: reported from another system or a parent-held record. */
  primarySource: z.boolean().default(true),
  /**
   * Who reported a dose given elsewhere, required for one (the performer is then who gave it,
   * if known). A dose given here has none.
   */
  reportedBy: Reporter.nullable().default(null),
  notes: z.string().trim().max(2000).nullable().default(null),
};

export const RecordVaccinationInput = z.object({
  personId: z.number().int().positive(),
  ...EventFields,
  /** The originating system's identity, for idempotent imports; this system's own if absent. */
  source: z
    .object({ system: text(200), id: text(200) })
    .nullable()
    .default(null),
  idempotencyKey,
});
export type RecordVaccinationInput = z.output<typeof RecordVaccinationInput>;

/** Changes for a correction: any clinical field; absent fields keep the corrected event's value. */
export const VaccinationChanges = z.object({
  programmeCode: EventFields.programmeCode.optional(),
  outcome: Outcome.optional(),
  notGivenReason: NotGivenReason.nullable().optional(),
  occurredAt: isoInstant.nullable().optional(),
  occurredOn: isoDate.nullable().optional(),
  doseSequence: z.number().int().min(1).max(20).nullable().optional(),
  productCode: text(40).nullable().optional(),
  batch: z
    .object({ id: z.number().int().optional(), batchNumber: batchNumber.optional(), expiryDate: isoDate.optional() })
    .refine((b) => b.id !== undefined || b.batchNumber !== undefined, 'Give the batch number')
    .nullable()
    .optional(),
  site: Coding.nullable().optional(),
  route: Coding.nullable().optional(),
  doseAmount: z.number().positive().max(10).nullable().optional(),
  doseUnit: Coding.nullable().optional(),
  performer: z
    .object({ name: text(200), role: text(100).nullable().default(null) })
    .nullable()
    .optional(),
  location: z
    .object({ code: text(20), type: LocationType })
    .nullable()
    .optional(),
  organisationCode: text(20).nullable().optional(),
  legalBasis: LegalBasis.nullable().optional(),
  primarySource: z.boolean().optional(),
  reportedBy: Reporter.nullable().optional(),
  notes: z.string().trim().max(2000).nullable().optional(),
});
export type VaccinationChanges = z.output<typeof VaccinationChanges>;

const CorrectVaccinationInput = z.object({
  eventId: z.number().int().positive(),
  changes: VaccinationChanges,
  reason: text(1000),
  idempotencyKey,
});

const MarkEnteredInErrorInput = z.object({
  eventId: z.number().int().positive(),
  reason: text(1000),
  idempotencyKey,
});

export const VaccinationEvent = z.object({
  id: z.number().int(),
  personId: z.number().int(),
  programmeCode: z.string(),
  programmeName: z.string(),
  outcome: Outcome,
  notGivenReason: NotGivenReason.nullable(),
  occurredAt: z.string().nullable(),
  occurredOn: isoDate,
  doseSequence: z.number().int().nullable(),
  product: z.object({ code: z.string(), name: z.string(), shortName: z.string(), vaccineType: z.string() }).nullable(),
  /** Antigen codes the product covers (empty when nothing was given). */
  antigens: z.array(z.string()),
  batchId: z.number().int().nullable(),
  batchNumber: z.string().nullable(),
  expiryDate: isoDate.nullable(),
  site: Coding.nullable(),
  route: Coding.nullable(),
  doseAmount: z.number().nullable(),
  doseUnit: Coding.nullable(),
  performer: z.object({ name: z.string(), role: z.string().nullable() }).nullable(),
  location: z.object({ code: z.string(), type: LocationType }).nullable(),
  organisationCode: z.string().nullable(),
  legalBasis: LegalBasis.nullable(),
  primarySource: z.boolean(),
  reportedBy: z.object({ kind: ReportSource, name: z.string().nullable() }).nullable(),
  sourceSystem: z.string(),
  sourceId: z.string(),
  notes: z.string().nullable(),
  /** Who recorded it, by the user directory's display name (the login role's name without one). */
  recordedBy: z.string(),
  recordedAt: z.string(),
  status: EventStatus,
  supersedesId: z.number().int().nullable(),
  supersededById: z.number().int().nullable(),
  changeReason: z.string().nullable(),
  statusReason: z.string().nullable(),
  /** Who replaced or withdrew it, named as recordedBy is. */
  statusChangedBy: z.string().nullable(),
  statusChangedAt: z.string().nullable(),
});
export type VaccinationEvent = z.infer<typeof VaccinationEvent>;

// ---------------------------------------------------------------------------------------
// Adverse reactions

const RecordReactionInput = z.object({
  eventId: z.number().int().positive(),
  onsetAt: isoInstant,
  reactionCode: ReactionCode,
  description: z.string().trim().max(4000).nullable().default(null),
  seriousness: Seriousness,
  outcome: ReactionOutcome,
  reporter: text(200),
  reportedToMhra: z.boolean().default(false),
  yellowCardReference: text(100).nullable().default(null),
  idempotencyKey,
});

export const AdverseReaction = z.object({
  id: z.number().int(),
  personId: z.number().int(),
  eventId: z.number().int(),
  onsetAt: z.string(),
  reactionCode: ReactionCode,
  description: z.string().nullable(),
  seriousness: Seriousness,
  outcome: ReactionOutcome,
  reporter: z.string(),
  reportedToMhra: z.boolean(),
  yellowCardReference: z.string().nullable(),
  /** Who recorded it, by the user directory's display name (the login role's name without one). */
  recordedBy: z.string(),
  recordedAt: z.string(),
});
export type AdverseReaction = z.infer<typeof AdverseReaction>;

export const VaccinationHistory = z.object({
  /** Every version, newest first: active, superseded and entered-in-error. */
  events: z.array(VaccinationEvent),
  reactions: z.array(AdverseReaction),
});
export type VaccinationHistory = z.infer<typeof VaccinationHistory>;

// ---------------------------------------------------------------------------------------

export const vaccinationChannels = {
  'programme.list': { input: z.object({ includeInactive: z.boolean().default(false) }), output: z.array(Programme) },
  'product.list': { input: ProductListInput, output: z.array(Product) },
  'batch.list': { input: BatchListInput, output: z.array(Batch) },
  'batch.add': { input: BatchAddInput, output: Batch },
  'vaccination.record': { input: RecordVaccinationInput, output: VaccinationEvent },
  'vaccination.correct': { input: CorrectVaccinationInput, output: VaccinationEvent },
  'vaccination.markEnteredInError': { input: MarkEnteredInErrorInput, output: VaccinationEvent },
  'vaccination.history': { input: z.object({ personId: z.number().int().positive() }), output: VaccinationHistory },
  'reaction.record': { input: RecordReactionInput, output: AdverseReaction },
} as const;

type VaccinationChannels = typeof vaccinationChannels;
export type VaccinationChannel = keyof VaccinationChannels;
export type VaccinationHandlers = HandlersOf<VaccinationChannels>;

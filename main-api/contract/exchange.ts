// Channels of vaccination exchange: import FHIR R4 Immunization resources (a pasted or opened
// file), the review queue of incoming vaccinations whose person is not certain (side by side with
// the candidates, accept or reject), and a person's record as a FHIR Bundle. Recording groups
// import and review (api.exchange_*, migration 0040); the files for onward submission and the GP
// daily update are written by the command line.
import { z } from 'zod';
import type { HandlersOf } from './common';
import { ImportOutcome, ReviewKind, ReviewStatus } from '../shared/vocabulary/exchange';

const Id = z.number().int().positive();

/** A FHIR resource as JSON text: an Immunization, or a Bundle of them (at most 20 MB). */
const FhirImportInput = z.object({ text: z.string().min(1, 'Paste or open a FHIR file').max(20_000_000, 'At most 20 MB') });

export const ImportResult = z.object({
  /** Where in the file it came from (Immunization, Bundle.entry[2].resource). */
  path: z.string(),
  sourceId: z.string(),
  outcome: ImportOutcome,
  personId: Id.nullable(),
  eventId: Id.nullable(),
  reviewId: Id.nullable(),
  reason: z.string().nullable(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const FhirImportOutput = z.object({ results: z.array(ImportResult) });
export type FhirImportOutput = z.infer<typeof FhirImportOutput>;

const Details = z.object({
  nhsNumber: z.string().nullable(),
  familyName: z.string(),
  givenName: z.string(),
  dateOfBirth: z.string(),
  genderCode: z.string(),
  postcode: z.string().nullable(),
});

export const ReviewCandidate = Details.extend({
  personId: Id,
  nhsNumber: z.string(),
  practiceCode: z.string().nullable(),
  points: z.number().int(),
  nhs: z.enum(['same', 'different', 'invalid', 'absent']),
  twin: z.boolean(),
  /** The school and year group on record (class-list rows are compared with them). */
  schoolUrn: z.string().nullable().optional(),
  schoolName: z.string().nullable().optional(),
  yearGroup: z.number().int().nullable().optional(),
  parts: z.object({ familyName: z.number(), givenName: z.number(), dateOfBirth: z.number(), gender: z.number(), postcode: z.number() }),
});
export type ReviewCandidate = z.infer<typeof ReviewCandidate>;

/** A parent or carer as a school's class list gave them. */
const ClassListParent = z.object({
  position: z.number().int(),
  name: z.string(),
  relationship: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
});

/** What a class-list row says besides the child's details, and where it came from. */
const ClassListRow = z.object({
  schoolUrn: z.string(),
  schoolName: z.string().nullable(),
  yearGroup: z.number().int(),
  parents: z.array(ClassListParent),
  importId: Id,
  rowNo: z.number().int(),
  fileName: z.string().nullable(),
});

export const ReviewItem = z.object({
  id: Id,
  kind: ReviewKind.default('VACCINATION'),
  sourceSystem: z.string(),
  sourceId: z.string(),
  incoming: Details.extend({ nhsNumber: z.string().nullable().optional(), postcode: z.string().nullable().optional() }),
  event: z
    .object({
      occurredOn: z.string(),
      productCode: z.string().nullable(),
      productName: z.string().nullable(),
      outcome: z.string(),
      doseSequence: z.number().int().nullable(),
      batchNumber: z.string().nullable(),
      locationCode: z.string().nullable(),
      performerName: z.string().nullable(),
    })
    .nullable(),
  /** A class-list row's school, year group and parents (no event). */
  classList: ClassListRow.nullable().default(null),
  reason: z.string(),
  receivedAt: z.string(),
  status: ReviewStatus,
  personId: Id.nullable(),
  eventId: Id.nullable(),
  candidates: z.array(ReviewCandidate),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const ReviewDecision = z.object({
  id: Id,
  /** ACCEPT attaches to personId; REJECT records nothing; NEW_PERSON registers the person as sent. */
  decision: z.enum(['ACCEPT', 'REJECT', 'NEW_PERSON']),
  personId: Id.nullable().default(null),
  note: z.string().trim().max(500, 'At most 500 characters').nullable().default(null),
});
export type ReviewDecision = z.output<typeof ReviewDecision>;

const FhirExportInput = z.object({
  personId: Id,
  /** Doses not given and reactions: for local partners who accept them (the national service takes neither). */
  includeNotGiven: z.boolean().default(true),
  includeReactions: z.boolean().default(true),
});

export const FhirExportOutput = z.object({ fileName: z.string(), contentType: z.literal('application/fhir+json'), text: z.string() });
export type FhirExportOutput = z.infer<typeof FhirExportOutput>;

export const exchangeChannels = {
  'exchange.fhir.import': { input: FhirImportInput, output: FhirImportOutput },
  'exchange.review.list': {
    input: z.object({ status: ReviewStatus.default('PENDING'), limit: z.number().int().min(1).max(500).default(100) }),
    output: z.array(ReviewItem),
  },
  'exchange.review.get': { input: z.object({ id: Id }), output: ReviewItem },
  'exchange.review.decide': { input: ReviewDecision, output: ReviewItem },
  'exchange.fhir.export': { input: FhirExportInput, output: FhirExportOutput },
} as const;

export type ExchangeHandlers = HandlersOf<typeof exchangeChannels>;

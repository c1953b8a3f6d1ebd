// School sessions: a school's session for a school-aged programme, its children with consent
// (the parent's response and the child's own, where assessed) and the outcome of the day.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import { PrintableRecord } from './documents';
import { ConsentRefusalReason, ConsentResponse, GillickOutcome, SchoolProgrammeCode, SessionOutcome } from '../shared/vocabulary/schools';

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const schoolUrn = z.string().regex(/^[0-9]{6,7}$/, 'A school URN is 6 or 7 digits');
/** A line of free text a person typed: a name, a short note. */
const line = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters`)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'No control or formatting characters');
const productCode = z.string().regex(/^[0-9]{6,20}$|^LOCAL-[A-Z0-9-]{1,40}$/, 'Not a product code');

export const SchoolSessionSummary = z.object({
  id: z.number().int(),
  schoolUrn: z.string(),
  schoolName: z.string(),
  programme: SchoolProgrammeCode,
  date: z.string(),
  /** Children in your scope on the session's list, and how their consent and outcomes stand. */
  children: z.number().int(),
  consentGiven: z.number().int(),
  consentRefused: z.number().int(),
  notReturned: z.number().int(),
  vaccinated: z.number().int(),
  outcomesRecorded: z.number().int(),
});
export type SchoolSessionSummary = z.infer<typeof SchoolSessionSummary>;

export const SessionChild = z.object({
  personId: z.number().int(),
  nhsNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: z.string(),
  yearGroup: z.number().int(),
  response: ConsentResponse,
  refusalReason: ConsentRefusalReason.nullable(),
  respondent: z.string().nullable(),
  responseNotes: z.string().nullable(),
  gillickOutcome: GillickOutcome.nullable(),
  gillickAssessedBy: z.string().nullable(),
  gillickNotes: z.string().nullable(),
  /** The consent that counts: the competent child's own decision, else the parent's response. */
  consent: ConsentResponse,
  outcome: SessionOutcome.nullable(),
  vaccinationEventId: z.number().int().nullable(),
  outcomeNotes: z.string().nullable(),
  requested: z.boolean(),
  reminded: z.boolean(),
});
export type SessionChild = z.infer<typeof SessionChild>;

export const SchoolSessionDetail = z.object({
  session: SchoolSessionSummary,
  children: z.array(SessionChild),
});
export type SchoolSessionDetail = z.infer<typeof SchoolSessionDetail>;

export const PersonSchoolSession = z.object({
  sessionId: z.number().int(),
  schoolUrn: z.string(),
  schoolName: z.string(),
  programme: SchoolProgrammeCode,
  date: z.string(),
  response: ConsentResponse,
  refusalReason: ConsentRefusalReason.nullable(),
  respondent: z.string().nullable(),
  gillickOutcome: GillickOutcome.nullable(),
  gillickAssessedBy: z.string().nullable(),
  outcome: SessionOutcome.nullable(),
  vaccinationEventId: z.number().int().nullable(),
});
export type PersonSchoolSession = z.infer<typeof PersonSchoolSession>;

/** A child's school moves found by class lists, and the parents their schools gave (migration 0077). */
export const PersonClassList = z.object({
  moves: z.array(
    z.object({
      fromUrn: z.string(),
      fromName: z.string(),
      toUrn: z.string(),
      toName: z.string(),
      fromYear: z.number().int().nullable(),
      toYear: z.number().int().nullable(),
      importId: z.number().int().nullable(),
      recordedBy: z.string(),
      recordedAt: z.string(),
    }),
  ),
  parents: z.array(
    z.object({
      position: z.number().int(),
      name: z.string(),
      relationship: z.string().nullable(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
      schoolUrn: z.string(),
    }),
  ),
});
export type PersonClassList = z.infer<typeof PersonClassList>;

const ConsentInput = z
  .object({
    sessionId: id,
    personId: id,
    response: ConsentResponse,
    refusalReason: ConsentRefusalReason.optional(),
    /** Who answered: the parent or carer's name. */
    respondent: line(200).optional(),
    notes: line(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.response === 'REFUSED' && !v.refusalReason)
      ctx.addIssue({ code: 'custom', path: ['refusalReason'], message: 'Choose the reason for refusing' });
    if (v.response !== 'REFUSED' && v.refusalReason)
      ctx.addIssue({ code: 'custom', path: ['refusalReason'], message: 'Only a refusal has a reason' });
    if (v.response !== 'NOT_RETURNED' && !v.respondent)
      ctx.addIssue({ code: 'custom', path: ['respondent'], message: 'Say who responded' });
  });

const OutcomeInput = z
  .object({
    sessionId: id,
    personId: id,
    outcome: SessionOutcome,
    productCode: productCode.optional(),
    batchNumber: line(40).optional(),
    expiryDate: isoDate.optional(),
    notes: line(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.outcome === 'VACCINATED' && !v.productCode)
      ctx.addIssue({ code: 'custom', path: ['productCode'], message: 'Choose the product given' });
    if (v.outcome === 'VACCINATED' && !v.batchNumber)
      ctx.addIssue({ code: 'custom', path: ['batchNumber'], message: 'Enter the batch number' });
    if (v.outcome === 'VACCINATED' && !v.expiryDate)
      ctx.addIssue({ code: 'custom', path: ['expiryDate'], message: "Enter the batch's expiry date" });
    if (v.outcome !== 'VACCINATED' && (v.productCode || v.batchNumber || v.expiryDate))
      ctx.addIssue({ code: 'custom', path: ['productCode'], message: 'Only a vaccination has a product and batch' });
  });

export const schoolChannels = {
  /** Sessions from a date on (today when left out). */
  'schools.sessions.list': { input: z.object({ from: isoDate.optional() }), output: z.array(SchoolSessionSummary) },
  'schools.sessions.plan': {
    input: z.object({ schoolUrn, programme: SchoolProgrammeCode, date: isoDate }),
    output: SchoolSessionDetail,
  },
  /** The session's list: an audited read of each child on it. */
  'schools.sessions.get': { input: z.object({ id }), output: SchoolSessionDetail },
  /** Children newly eligible since planning, and a consent request for each child without one. */
  'schools.sessions.refresh': {
    input: z.object({ id }),
    output: z.object({ added: z.number().int(), requested: z.number().int() }),
  },
  'schools.consent.record': { input: ConsentInput, output: SchoolSessionDetail },
  'schools.gillick.record': {
    input: z.object({
      sessionId: id,
      personId: id,
      outcome: GillickOutcome,
      assessedBy: line(200).min(1, 'Say who assessed the child'),
      notes: line(1000).optional(),
    }),
    output: SchoolSessionDetail,
  },
  /** Reminders to parents who have not returned consent, for sessions within the reminder days. */
  'schools.reminders.run': { input: z.object({ sessionId: id.optional() }), output: z.object({ created: z.number().int() }) },
  'schools.outcome.record': { input: OutcomeInput, output: SchoolSessionDetail },
  /** The day's lists as a PDF (consent given, refused, not returned). */
  'schools.sessions.pdf': { input: z.object({ id }), output: PrintableRecord },
  /** A child's school sessions, for the record page. */
  'schools.person': { input: z.object({ personId: id }), output: z.array(PersonSchoolSession) },
  /** A child's school moves and parents from class lists, for the record page (an audited read). */
  'schools.person.classList': { input: z.object({ personId: id }), output: PersonClassList },
} as const;

export type SchoolHandlers = HandlersOf<typeof schoolChannels>;

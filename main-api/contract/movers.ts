// Movers in and out: a child who arrives with an incomplete or overseas history gets a catch-up
// plan from the schedule engine (printable for the family and the GP); a child who moves away
// takes a transfer summary of their record. Spread into the main contract.
import { z } from 'zod';
import { isoDate, isoDateTime, type HandlersOf } from './common';
import { PrintableRecord } from './documents';
import { SeriesStatus } from '../shared/vocabulary/schedule';

const PersonInput = z.object({ personId: z.number().int().positive() });

/** Where the person moved in from: a country (ISO 3166-1 alpha-2) when from abroad, or a previous area. */
export const Arrival = z.object({
  arrivedOn: isoDate,
  fromCountry: z.string().nullable(),
  /** The country's name in English, for display. */
  fromCountryName: z.string().nullable(),
  fromArea: z.string().nullable(),
  recordedBy: z.string(),
  recordedAt: isoDateTime,
});
export type Arrival = z.infer<typeof Arrival>;

const SetArrivalInput = z.object({
  personId: z.number().int().positive(),
  arrivedOn: isoDate,
  fromCountry: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'Choose a country from the list')
    .nullable()
    .default(null),
  fromArea: z.string().trim().max(200, 'At most 200 characters').nullable().default(null),
});

const PlannedDose = z.object({
  seriesId: z.string(),
  name: z.string(),
  dose: z.number().int(),
  /** The vaccine to give, e.g. '6-in-1', 'MMRV'. */
  product: z.string(),
  /** Other courses the same vaccine counts for at this visit (varicella in MMRV, the Hib dose after 1 year). */
  alsoCountsFor: z.array(z.string()),
  /** Why this dose, and why at this visit, in the engine's words. */
  why: z.array(z.string()),
});

const CatchUpVisit = z.object({
  /** The earliest date for the visit. */
  date: isoDate,
  doses: z.array(PlannedDose),
});

export const CatchUpPlanView = z.object({
  personId: z.number().int(),
  asOf: isoDate,
  /** The catch-up rules used, e.g. 'UKHSA-CATCH-UP v2025-07'. */
  rules: z.string(),
  arrival: Arrival.nullable(),
  visits: z.array(CatchUpVisit),
  /** Courses left out and why: past an upper age limit (rotavirus), declined, contraindicated. */
  notPlanned: z.array(z.object({ seriesId: z.string(), name: z.string(), status: SeriesStatus, reason: z.string() })),
  /** Doses of a vaccine lacking one of a course's parts that the plan counts for it (a 5-in-1 given abroad for the 6-in-1). */
  credited: z.array(z.object({ date: isoDate, product: z.string(), seriesId: z.string(), name: z.string(), note: z.string() })),
  /** Doses in the history that do not count, and why (too early, too soon after the previous one). */
  notCounted: z.array(z.object({ seriesId: z.string(), name: z.string(), date: isoDate, reason: z.string() })),
  /** Live vaccines a clinician must assess before they are given. */
  needsAssessment: z.array(z.object({ seriesId: z.string(), name: z.string(), reason: z.string() })),
  /** What follows on the routine schedule after the last visit. */
  then: z.array(z.object({ seriesId: z.string(), name: z.string(), dose: z.number().int(), dueDate: isoDate })),
  explanation: z.array(z.string()),
});
export type CatchUpPlanView = z.infer<typeof CatchUpPlanView>;

/** What a print did: as 'record.print', a host without a screen of its own answers preview: false. */
const PrintOutcome = z.object({ preview: z.boolean() });

export const moverChannels = {
  'movers.arrival.set': { input: SetArrivalInput, output: Arrival },
  'movers.plan.get': { input: PersonInput, output: CatchUpPlanView },
  'movers.plan.pdf': { input: PersonInput, output: PrintableRecord },
  'movers.transfer.pdf': { input: PersonInput, output: PrintableRecord },
  'movers.plan.print': { input: PersonInput, output: PrintOutcome },
  'movers.transfer.print': { input: PersonInput, output: PrintOutcome },
} as const;

export type MoverHandlers = HandlersOf<typeof moverChannels>;

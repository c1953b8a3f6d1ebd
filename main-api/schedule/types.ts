// The rule files' shape (validated with zod when loaded) and the engine's output types.
// Rule files are data so they can be versioned, reviewed and later stored in the database.
import { z } from 'zod';
import { isoDate } from '../contract/common';
import { Antigen } from '../shared/vocabulary/antigens';
import { FlagCode } from '../shared/vocabulary/flags';
import type { NotGivenReason, Outcome } from '../shared/vocabulary/vaccination';
import { SeriesKind, type CampaignStatus, type SeriesStatus, type WarningCode } from '../shared/vocabulary/schedule';

export { ANTIGEN_CODES as ANTIGENS } from '../shared/vocabulary/antigens';
export { FLAG_CODES } from '../shared/vocabulary/flags';
export type { NotGivenReason } from '../shared/vocabulary/vaccination';
export type { CampaignStatus, SeriesStatus, WarningCode } from '../shared/vocabulary/schedule';

/** A period such as '4w', '6m', '1y', '3y4m', '15w', '0d'. Months are calendar months. */
const periodSpec = z.string().regex(/^(?=\d)(\d+y)?(\d+m)?(\d+w)?(\d+d)?$/, "must be a period like '8w', '12m', '3y4m' or '0d'");

/** An age: a period since birth, or 'schoolYear:N' = 1 Sep at the start of school year N (Reception = 0). */
const ageSpec = z
  .string()
  .regex(/^((?=\d)(\d+y)?(\d+m)?(\d+w)?(\d+d)?|schoolYear:(0|[1-9]|1[0-3]))$/, "must be an age like '8w', '12m', '3y4m' or 'schoolYear:8'");

const antigen = Antigen;
const flagCode = FlagCode;
const ruleId = z.string().regex(/^[A-Z0-9][A-Z0-9_-]*$/, 'must be an upper-case rule id like MMR-2026');

const overdueSpec = z.union([
  z.object({ afterDue: periodSpec }).strict(),
  z.object({ age: ageSpec }).strict(),
  z.object({ afterPrevious: periodSpec }).strict(),
]);

const doseRuleSchema = z
  .object({
    /** Stable id used in explanations, e.g. 'MMRV-2026'. */
    rule: ruleId,
    dose: z.number().int().min(1).max(10),
    /** A dose given before this age does not count. */
    earliestAge: ageSpec,
    dueAge: ageSpec,
    overdue: overdueSpec,
    /** The dose must be given before this age (e.g. rotavirus dose 1 before 15 weeks). */
    beforeAge: ageSpec.nullable().default(null),
    /** Minimum gap after the previous counted dose of the same series. */
    minInterval: periodSpec.nullable().default(null),
    /** When a course is behind, the next dose is due this long after the previous one (default: minInterval). */
    dueInterval: periodSpec.nullable().default(null),
    /** Gap required after the last dose containing all these antigens (any series), e.g. pre-school booster. */
    afterLastDoseOf: z
      .object({ antigens: z.array(antigen).min(1), interval: periodSpec, description: z.string().min(1) })
      .strict()
      .nullable()
      .default(null),
    /** If this dose has not been given by this age it is no longer needed and the course moves on. */
    notNeededAfterAge: ageSpec.nullable().default(null),
    /** Date-of-birth cohort the row applies to (inclusive). */
    bornFrom: isoDate.nullable().default(null),
    bornTo: isoDate.nullable().default(null),
    /** Dates the row is in force (inclusive). A dose is not offered before effectiveFrom; effectiveTo closes the window. */
    effectiveFrom: isoDate.nullable().default(null),
    effectiveTo: isoDate.nullable().default(null),
    /** Offered product(s) for this dose, for display. */
    product: z.string().min(1),
    notes: z.string().default(''),
  })
  .strict();

/**
 * A reason to stop and ask a clinician before giving a series' next dose (a live vaccine for an
 * immunosuppressed person): the series shows NEEDS_ASSESSMENT with the reason, never plain DUE.
 */
const cautionSchema = z
  .object({
    rule: ruleId,
    /** Any of these flags active on the assessment date raises the caution. */
    flagsAny: z.array(flagCode).min(1),
    /** Only at or above / below these ages on the assessment date. */
    minAge: ageSpec.nullable().default(null),
    belowAge: ageSpec.nullable().default(null),
    reason: z.string().min(1),
    /** What to offer instead, when an inactivated alternative exists. */
    alternative: z.string().min(1).nullable().default(null),
    effectiveFrom: isoDate,
    source: z.string().min(1),
  })
  .strict();

const seriesSchema = z
  .object({
    id: ruleId,
    name: z.string().min(1),
    /** 'course' is a vaccine course; 'requirement' is a safety-net rule (e.g. Hib after the first birthday). */
    kind: SeriesKind.default('course'),
    /** A dose counts when its product covers all these antigens ('covers') or exactly these ('exact'). */
    antigens: z.array(antigen).min(1),
    match: z.enum(['covers', 'exact']).default('covers'),
    /** Products that count for this series (any product covering the antigens counts; listed for display). */
    interchangeableProducts: z.array(z.string().min(1)).min(1),
    /** Doses before this age belong to an earlier series and are not looked at here. */
    considerFromAge: ageSpec.nullable().default(null),
    /** A dose already counted by one of these (earlier) series cannot also count here. */
    exclusiveWith: z.array(ruleId).default([]),
    bornFrom: isoDate.nullable().default(null),
    bornTo: isoDate.nullable().default(null),
    /** Person must have one of these flags active on the assessment date. */
    requiresFlags: z.array(flagCode).default([]),
    /** Person must have none of these flags active on the assessment date. */
    excludedByFlags: z.array(flagCode).default([]),
    /** After this age an incomplete series is no longer tracked (catch-up is decided individually). */
    trackUntilAge: ageSpec.nullable().default(null),
    /**
     * Before this age the series shows only doses that no other series gives (their earliest age
     * is at or after it): Td/IPV counts every diphtheria, tetanus and polio dose from birth, but
     * under 10 years the 6-in-1 and pre-school booster series speak for the first four.
     */
    openFromAge: ageSpec.nullable().default(null),
    /** From this age an unfinished course is carried on by another series (6-in-1 -> Td/IPV at 10). */
    continuedBy: z
      .object({ fromAge: ageSpec, series: ruleId, description: z.string().min(1), source: z.string().min(1) })
      .strict()
      .nullable()
      .default(null),
    /** Series that are one vaccine to the person (MMR and varicella given as MMRV) share a group. */
    vaccineGroup: z.string().min(1).nullable().default(null),
    /**
     * A vaccine for each pregnancy (pertussis, RSV): the dose rows' ages are weeks of pregnancy, not
     * age. The person needs this flag active; its end date is the expected date of delivery, reached
     * at `term` of pregnancy, so week 0 is that date less the term.
     */
    gestation: z
      .object({ flag: flagCode, term: z.string().regex(/^\d+w$/, "must be whole weeks like '40w'") })
      .strict()
      .nullable()
      .default(null),
    cautions: z.array(cautionSchema).default([]),
    /** The Green Book chapter or programme letter the series rests on. */
    source: z.string().default(''),
    doses: z.array(doseRuleSchema).min(1),
    notes: z.string().default(''),
  })
  .strict();

/** What every rule file starts with: which rules, which version of them, and their name. */
const ruleFileHead = { id: ruleId, version: z.string().min(1), name: z.string().min(1) };

export const scheduleDataSchema = z
  .object({
    kind: z.literal('schedule'),
    ...ruleFileHead,
    effectiveFrom: isoDate,
    effectiveTo: isoDate.nullable(),
    source: z.string().min(1),
    notes: z.string().default(''),
    series: z.array(seriesSchema).min(1),
  })
  .strict();

const criterionSchema = z
  .object({
    id: ruleId,
    /** Plain-English description used as the reason, e.g. 'Aged 65 or over on 31 Mar 2026'. */
    label: z.string().min(1),
    /** Eligibility under this criterion starts on this date (defaults to the campaign start). */
    startDate: isoDate.nullable().default(null),
    endDate: isoDate.nullable().default(null),
    /** Age on a reference date ('assessment' = the date being assessed). min inclusive, below exclusive. */
    age: z
      .object({
        on: z.union([isoDate, z.literal('assessment')]),
        min: ageSpec.nullable().default(null),
        below: ageSpec.nullable().default(null),
      })
      .strict()
      .refine((a) => a.min !== null || a.below !== null, 'needs min or below')
      .nullable()
      .default(null),
    /** At least one of these flags active on the assessment date. */
    flagsAny: z.array(flagCode).default([]),
    /** A frontline health or social care staff record active on the assessment date. */
    frontlineStaff: z.boolean().default(false),
    /**
     * Children who have never had this vaccine before need a second dose this season (flu: at-risk
     * children aged 6 months to under 9 years, Green Book chapter 19).
     */
    secondDose: z
      .object({ rule: ruleId, belowAge: ageSpec, interval: periodSpec, source: z.string().min(1) })
      .strict()
      .nullable()
      .default(null),
    notes: z.string().default(''),
  })
  .strict()
  .refine((c) => c.age !== null || c.flagsAny.length > 0 || c.frontlineStaff, 'a criterion needs age, flagsAny or frontlineStaff');

export const campaignDataSchema = z
  .object({
    kind: z.literal('campaign'),
    ...ruleFileHead,
    /** The programme the season's doses are recorded against (ims.programme's code). */
    id: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'names the programme: capital letters, digits and underscores, like FLU_2027_28'),
    antigens: z.array(antigen).min(1),
    startDate: isoDate,
    endDate: isoDate,
    /** A dose given on or after this date counts for the season (defaults to startDate). */
    countGivenFrom: isoDate.nullable().default(null),
    source: z.string().min(1),
    notes: z.string().default(''),
    /** Live products not to use for some people, with the alternative to offer (nasal flu). */
    cautions: z.array(cautionSchema).default([]),
    criteria: z.array(criterionSchema).min(1),
  })
  .strict();

/**
 * How a plan is drawn up for someone with an uncertain or incomplete history (UKHSA algorithm):
 * the courses themselves (doses by age, intervals, upper ages) are the schedule's series.
 */
export const catchUpDataSchema = z
  .object({
    kind: z.literal('catch-up'),
    ...ruleFileHead,
    effectiveFrom: isoDate,
    source: z.string().min(1),
    /** Visits at least this far apart, so live vaccines not given together are 4 weeks apart. */
    minVisitInterval: periodSpec,
    /** The plan covers visits up to this far ahead; later doses follow the routine schedule. */
    horizon: periodSpec,
    maxVisits: z.number().int().min(1).max(20),
    /**
     * Doses of a vaccine without one of a course's antigens that still count for its place in the
     * course when planning (a DTaP/IPV/Hib dose given abroad is one of the three 6-in-1 doses), so
     * the course is resumed, not restarted.
     */
    countsTowards: z
      .array(
        z
          .object({
            rule: ruleId,
            series: ruleId,
            antigens: z.array(antigen).min(1),
            /** What the plan says about the antigen the dose lacked. */
            note: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    notes: z.string().default(''),
  })
  .strict();

export const ruleFileSchema = z.discriminatedUnion('kind', [scheduleDataSchema, campaignDataSchema, catchUpDataSchema]);

export type DoseRuleData = z.infer<typeof doseRuleSchema>;
export type ScheduleData = z.infer<typeof scheduleDataSchema>;
export type CampaignData = z.infer<typeof campaignDataSchema>;
export type CatchUpData = z.infer<typeof catchUpDataSchema>;
export type CautionData = z.infer<typeof cautionSchema>;
/** What a JSON file may omit (defaults applied by parsing). */
export type ScheduleDataInput = z.input<typeof scheduleDataSchema>;
export type CampaignDataInput = z.input<typeof campaignDataSchema>;

// ---- engine inputs ----

export interface PersonInput {
  dateOfBirth: string;
  dateOfDeath?: string | null;
  genderCode?: string;
  flags: { code: string; from: string; to: string | null }[];
  staff?: { frontline: boolean; from: string; to: string | null }[];
}

export interface EventInput {
  id?: string | number;
  date: string;
  antigens: string[];
  productName?: string;
  outcome: Outcome;
  reason?: NotGivenReason | null;
}

// ---- engine outputs ----

interface CountedDose {
  eventId: string | number | null;
  date: string;
  doseNumber: number;
}

interface IgnoredDose {
  eventId: string | number | null;
  date: string;
  reason: string;
}

export interface SeriesForecast {
  seriesId: string;
  seriesName: string;
  kind: SeriesKind;
  /** Series that are one vaccine to the person share a group (MMR and varicella: 'MMRV'). */
  vaccineGroup: string;
  scheduleId: string;
  scheduleVersion: string;
  status: SeriesStatus;
  /** The dose to give next; null when complete or not eligible. */
  nextDose: number | null;
  /** Product offered for the next dose. */
  nextProduct: string | null;
  /** Earliest date the next dose would count. */
  dueFrom: string | null;
  dueDate: string | null;
  overdueFrom: string | null;
  /** Last date the next dose may be given (upper age limit or end of the rule's window). */
  latestDate: string | null;
  /** What to offer instead of the usual live product, when a caution names an alternative. */
  offer: string | null;
  /** Why a caution applies (NEEDS_ASSESSMENT, or the offer above), in plain words; null when none does. */
  caution: string | null;
  dosesCounted: CountedDose[];
  dosesIgnored: IgnoredDose[];
  explanation: string[];
}

export interface CampaignForecast {
  campaignId: string;
  campaignVersion: string;
  name: string;
  /** Eligible on the assessment date. */
  eligible: boolean;
  /** When not yet eligible but will be during this campaign. */
  eligibleFrom: string | null;
  status: CampaignStatus;
  /** The criteria that match, in plain English with their rule ids. */
  reasons: string[];
  explanation: string[];
  givenOn: string | null;
  /** What to offer instead of the usual live product, when a caution applies (injected flu). */
  offer: string | null;
  /** Why the caution applies, in plain words; null when none does. */
  caution: string | null;
}

export interface Forecast {
  asOf: string;
  dateOfBirth: string;
  series: SeriesForecast[];
  campaigns: CampaignForecast[];
}

export interface DoseWarning {
  code: WarningCode;
  seriesId: string | null;
  explanation: string;
}

export interface ForecastOptions {
  /** Build the explanation lines (default true). Population runs may turn it off for speed. */
  explain?: boolean;
}

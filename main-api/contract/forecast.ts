// Channels for the schedule forecast: where a person stands on each series and campaign, and
// the warnings for a dose about to be recorded. Spread into the main contract.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import { CampaignStatus, SeriesKind, SeriesStatus, WarningCode } from '../shared/vocabulary/schedule';

const ForecastInput = z.object({
  personId: z.number().int().positive(),
  /** The date to assess on; today (in England) when omitted. */
  on: isoDate.optional(),
});

const CountedDose = z.object({
  eventId: z.number().int().nullable(),
  date: isoDate,
  doseNumber: z.number().int(),
  /** What staff call the product given, when known. */
  product: z.string().nullable(),
});

const IgnoredDose = z.object({
  eventId: z.number().int().nullable(),
  date: isoDate,
  reason: z.string(),
  product: z.string().nullable(),
});

export const SeriesView = z.object({
  seriesId: z.string(),
  name: z.string(),
  kind: SeriesKind,
  /** Series one vaccine gives together share a group (MMR(V) and varicella: 'MMRV'). */
  vaccineGroup: z.string(),
  /** The rule set it came from, e.g. 'ENG-ROUTINE v2025-26'. */
  rules: z.string(),
  status: SeriesStatus,
  nextDose: z.number().int().nullable(),
  nextProduct: z.string().nullable(),
  /** Earliest date the next dose would count. */
  dueFrom: isoDate.nullable(),
  dueDate: isoDate.nullable(),
  overdueFrom: isoDate.nullable(),
  /** Last date the next dose may be given. */
  latestDate: isoDate.nullable(),
  /** What to offer instead of the usual live product (already in nextProduct), when a caution names one. */
  offer: z.string().nullable(),
  /** Why a caution applies: the reason for NEEDS_ASSESSMENT or for the offer, in plain words. */
  caution: z.string().nullable(),
  explanation: z.array(z.string()),
  dosesCounted: z.array(CountedDose),
  dosesIgnored: z.array(IgnoredDose),
});
export type SeriesView = z.infer<typeof SeriesView>;

/** A series with no next dose worked out (complete, not eligible, or before the dates are known). */
export const NO_NEXT_DOSE = {
  nextDose: null,
  nextProduct: null,
  dueFrom: null,
  dueDate: null,
  overdueFrom: null,
  latestDate: null,
  offer: null,
  caution: null,
} as const satisfies Partial<SeriesView>;

/** One series' part in a forecast row: what the details view shows, rule codes included. */
const RowPart = SeriesView.pick({
  seriesId: true,
  name: true,
  kind: true,
  status: true,
  rules: true,
  explanation: true,
  dosesCounted: true,
  dosesIgnored: true,
});

/**
 * One row per vaccination the person would actually receive: series that one dose satisfies
 * (MMR(V) and varicella given as MMRV; a 6-in-1 dose that is also the Hib dose after the first
 * birthday) share a row. The screen and the printed record both show these rows.
 */
export const ForecastRow = z.object({
  /** The row's first series id; stable for keys and tests. */
  key: z.string(),
  name: z.string(),
  /** The other series the same dose counts for, by name. */
  alsoCountsFor: z.array(z.string()),
  ...SeriesView.pick({
    status: true,
    nextDose: true,
    nextProduct: true,
    dueFrom: true,
    dueDate: true,
    overdueFrom: true,
    latestDate: true,
    offer: true,
    caution: true,
  }).shape,
  /** The caution as one sentence for the screen and the printed record; null when none applies. */
  note: z.string().nullable(),
  /** Upcoming (or waiting for an assessment) and due more than a year from the assessment date: shown only when asked for. */
  later: z.boolean(),
  /** Why, in plain words: the explanation without rule codes. */
  explanation: z.array(z.string()),
  parts: z.array(RowPart).min(1),
});
export type ForecastRow = z.infer<typeof ForecastRow>;

export const CampaignView = z.object({
  campaignId: z.string(),
  name: z.string(),
  version: z.string(),
  eligible: z.boolean(),
  /** Not yet eligible on the date asked about but will be during the campaign. */
  eligibleFrom: isoDate.nullable(),
  status: CampaignStatus,
  /** The criteria met, in plain English with their rule ids. */
  reasons: z.array(z.string()),
  explanation: z.array(z.string()),
  /** The reasons and explanation without rule ids, for the first view; the ids stay in the details. */
  plain: z.object({ reasons: z.array(z.string()), explanation: z.array(z.string()) }),
  givenOn: isoDate.nullable(),
  ...SeriesView.pick({ offer: true, caution: true }).shape,
  /** The caution as one sentence, as on a forecast row; null when none applies. */
  note: z.string().nullable(),
});
export type CampaignView = z.infer<typeof CampaignView>;

export const ForecastView = z.object({
  personId: z.number().int(),
  asOf: isoDate,
  dateOfBirth: isoDate,
  /** Rule sets used, e.g. 'ENG-ROUTINE v2025-26, FLU-2025-26 v1'. */
  rulesVersion: z.string(),
  series: z.array(SeriesView),
  /** The series as rows to show, most urgent first (see ForecastRow). */
  rows: z.array(ForecastRow),
  campaigns: z.array(CampaignView),
});
export type ForecastView = z.infer<typeof ForecastView>;

const DoseCheckInput = z.object({
  personId: z.number().int().positive(),
  date: isoDate,
  productCode: z.string().trim().min(1).max(40),
});

const DoseWarning = z.object({
  code: WarningCode,
  /** The series or campaign the warning is about, when it is about one. */
  seriesId: z.string().nullable(),
  explanation: z.string(),
});
type DoseWarning = z.infer<typeof DoseWarning>;

export const DoseCheck = z.object({
  productCode: z.string(),
  productName: z.string(),
  antigens: z.array(z.string()),
  /** Empty when nothing stands against giving the dose on that date. */
  warnings: z.array(DoseWarning),
  rulesVersion: z.string(),
});
export type DoseCheck = z.infer<typeof DoseCheck>;

// ---------------------------------------------------------------------------------------

export const forecastChannels = {
  'forecast.get': { input: ForecastInput, output: ForecastView },
  'vaccination.check': { input: DoseCheckInput, output: DoseCheck },
} as const;

type ForecastChannels = typeof forecastChannels;
export type ForecastHandlers = HandlersOf<ForecastChannels>;

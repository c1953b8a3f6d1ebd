// A cohort definition: who to count or invite, as a file (`ims cohort describe FILE`) or a saved
// definition. Every value is typed and bounded and every code comes from the shared vocabulary,
// so a count can be built from fixed SQL pieces with the values as parameters: nothing here is
// ever SQL text. The format is documented in docs/cohort-definition.md.
import { z } from 'zod';
import { isoDate, type HandlersOf } from './common';
import { dayOf } from '../shared/calendar/dates';
import { Antigen } from '../shared/vocabulary/antigens';
import { EthnicCategory, EthnicGroup } from '../shared/vocabulary/ethnicity';
import { FlagCategory, FlagCode } from '../shared/vocabulary/flags';
import { GenderCode, StaffGroup } from '../shared/vocabulary/people';
import { CampaignStatus, SeriesStatus } from '../shared/vocabulary/schedule';
import { COHORT_BREAKDOWNS, CohortBreakdown, CohortExclusion } from '../shared/vocabulary/cohorts';

/** Groups nest at most this deep (the outermost group is depth 1). */
const MAX_GROUP_DEPTH = 6;
/** At most this many members in one group. */
const MAX_GROUP_SIZE = 50;
/** At most this many criteria in a whole definition. */
const MAX_CRITERIA = 200;
/** At most this many codes in one list (practices, LSOAs, ...). */
const MAX_CODES = 500;

const FIRST_DAY = dayOf('1900-01-01') as number;
const LAST_DAY = dayOf('2149-12-31') as number;

/** A real date between 1900 and 2149, written YYYY-MM-DD. */
const day = isoDate.refine((s) => {
  const n = dayOf(s) as number;
  return n >= FIRST_DAY && n <= LAST_DAY;
}, 'Use a date from 1900 to 2149');

/** A list of codes (or year groups), each once, in the order written (a repeated code is dropped). */
function codes<T extends z.ZodType<string | number>>(code: T, max = MAX_CODES) {
  return z
    .array(code)
    .min(1, 'List at least one code')
    .max(max, `List at most ${max} codes`)
    .transform((list) => [...new Set(list)]);
}

/** A code of a known form; anything longer than such a code is refused before the form is tried. */
const pattern = (re: RegExp, what: string, max = 16) =>
  z
    .string()
    .max(max, { message: `Not ${what}`, abort: true })
    .regex(re, `Not ${what}`);

// Register codes are rows of reference tables that grow (practices, schools, LSOAs), so they are
// checked by form here; a count finds nobody for a well-formed code it does not hold.
const postcodeArea = pattern(/^[A-Z]{1,2}$/, 'a postcode area (one or two capital letters, e.g. ME)');
const postcodeDistrict = pattern(/^[A-Z]{1,2}[0-9][0-9A-Z]?$/, 'a postcode district (e.g. ME1, SW1A)');
const postcodeSector = pattern(/^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$/, 'a postcode sector (e.g. ME1 1)');
const lsoaCode = pattern(/^[EW]01[0-9]{6}$/, 'an LSOA code (e.g. E01016012)');
const localAuthorityCode = pattern(/^[EW]0[6-9][0-9]{6}$/, 'a local authority code (e.g. E06000035)');
const odsCode = (what: string) => pattern(/^[A-Z0-9]{3,8}$/, `${what} (3 to 8 capital letters or digits)`);
const schoolUrn = pattern(/^[0-9]{6,7}$/, 'a school URN (6 or 7 digits)');
/** Programme and campaign codes, as ims.programme and the rule files write them. */
const campaignId = pattern(/^[A-Z][A-Z0-9_]*$/, 'a campaign code (e.g. FLU_2026_27)', 40);
const programmeCode = pattern(/^[A-Z][A-Z0-9_]*$/, 'a programme code (e.g. ROUTINE_CHILDHOOD)', 40);

const AGE_UNITS = ['years', 'months', 'weeks'] as const;
/** The oldest age a criterion may name, per unit (130 years). */
const AGE_LIMIT: Record<(typeof AGE_UNITS)[number], number> = { years: 130, months: 1560, weeks: 6800 };

const Age = z
  .strictObject({
    /** Whole years, months or weeks completed on the date. */
    unit: z.enum(AGE_UNITS).default('years'),
    /** At least this age (inclusive). */
    min: z.number().int().min(0).optional(),
    /** At most this age (inclusive): 64 means up to the day before the 65th birthday. */
    max: z.number().int().min(0).optional(),
    /** The date the age is taken on; the definition's referenceDate when left out. */
    on: day.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.min === undefined && a.max === undefined) ctx.addIssue({ code: 'custom', message: 'Give min, max or both', path: [] });
    for (const key of ['min', 'max'] as const) {
      const v = a[key];
      if (v !== undefined && v > AGE_LIMIT[a.unit])
        ctx.addIssue({ code: 'custom', message: `At most ${AGE_LIMIT[a.unit]} ${a.unit}`, path: [key] });
    }
    if (a.min !== undefined && a.max !== undefined && a.min > a.max)
      ctx.addIssue({ code: 'custom', message: 'min is more than max', path: ['max'] });
  });

const DateOfBirth = z.strictObject({ from: day.optional(), to: day.optional() }).superRefine((d, ctx) => {
  if (d.from === undefined && d.to === undefined) ctx.addIssue({ code: 'custom', message: 'Give from, to or both', path: [] });
  if (d.from !== undefined && d.to !== undefined && d.from > d.to)
    ctx.addIssue({ code: 'custom', message: 'to is before from', path: ['to'] });
});

/** Says which of the optional lists must have at least one given. */
function atLeastOne<T extends Record<string, unknown>>(keys: readonly (keyof T & string)[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (keys.every((k) => value[k] === undefined)) ctx.addIssue({ code: 'custom', message: `Give ${keys.join(' or ')}`, path: [] });
  };
}

const Ethnicity = z
  .strictObject({ categories: codes(EthnicCategory).optional(), groups: codes(EthnicGroup).optional() })
  .superRefine(atLeastOne(['categories', 'groups']));

const Postcode = z
  .strictObject({
    areas: codes(postcodeArea).optional(),
    districts: codes(postcodeDistrict).optional(),
    sectors: codes(postcodeSector).optional(),
  })
  .superRefine(atLeastOne(['areas', 'districts', 'sectors']));

const decile = z.number().int().min(1, 'Deciles run from 1 to 10').max(10, 'Deciles run from 1 to 10');
const ImdDecile = z.strictObject({ min: decile.default(1), max: decile.default(10) }).superRefine((d, ctx) => {
  // Only when both are deciles: a decile out of range is reported once, as itself.
  if (d.min <= d.max || d.min > 10 || d.max < 1) return;
  ctx.addIssue({ code: 'custom', message: 'min is more than max', path: ['max'] });
});

/** -1 is nursery, 0 reception, 1 to 14 Year 1 to Year 14, as ims.person.year_group. */
const yearGroup = z.number().int().min(-1, 'Year groups run from -1 (nursery) to 14').max(14, 'Year groups run from -1 (nursery) to 14');
const School = z
  .strictObject({ urns: codes(schoolUrn).optional(), yearGroups: codes(yearGroup).optional() })
  .superRefine(atLeastOne(['urns', 'yearGroups']));

const Flags = z
  .strictObject({
    codes: codes(FlagCode).optional(),
    categories: codes(FlagCategory).optional(),
    /** Active on this date; the definition's referenceDate when left out. */
    on: day.optional(),
  })
  .superRefine(atLeastOne(['codes', 'categories']));

const Staff = z.strictObject({
  employers: codes(odsCode('an employer code')).optional(),
  staffGroups: codes(StaffGroup).optional(),
  frontline: z.boolean().optional(),
});

/** What a vaccination criterion is about: one antigen, or one programme. */
const antigenOrProgramme = {
  antigen: Antigen.optional(),
  programme: programmeCode.optional(),
};
function oneOfAntigenOrProgramme(v: { antigen?: string; programme?: string }, ctx: z.RefinementCtx): void {
  if ((v.antigen === undefined) === (v.programme === undefined))
    ctx.addIssue({ code: 'custom', message: 'Give either antigen or programme', path: [] });
}

const Vaccination = z.discriminatedUnion('state', [
  /** No vaccination against the antigen (or in the programme) ever recorded. */
  z.strictObject({ state: z.literal('never-had'), ...antigenOrProgramme }).superRefine(oneOfAntigenOrProgramme),
  /** At least `doses` doses given before the date: "dose N given before a date". */
  z
    .strictObject({
      state: z.literal('doses-before'),
      ...antigenOrProgramme,
      doses: z.number().int().min(1, 'At least 1 dose').max(10, 'At most 10 doses'),
      before: day,
    })
    .superRefine(oneOfAntigenOrProgramme),
  /** The schedule engine's status for the series protecting against the antigen. */
  z.strictObject({ state: z.literal('schedule'), antigen: Antigen, statuses: codes(SeriesStatus) }),
  /** The schedule engine's status in a seasonal campaign; DUE reads "eligible now". */
  z.strictObject({ state: z.literal('campaign'), campaign: campaignId, statuses: codes(CampaignStatus) }),
]);

/** Where the person stands with invitations for the definition's campaign (any of its programme's campaigns). */
const Invitation = z.discriminatedUnion('state', [
  /** Never invited for it. */
  z.strictObject({ state: z.literal('never-invited') }),
  /** Invited, most recently before the date. */
  z.strictObject({ state: z.literal('invited-before'), before: day }),
  /** Invited, and neither booked nor vaccinated in the campaign since. */
  z.strictObject({ state: z.literal('invited-not-booked') }),
  /** Booked for it and did not attend (and not vaccinated in the campaign since). */
  z.strictObject({ state: z.literal('did-not-attend') }),
]);

/** Every kind of criterion, keyed by the name a definition writes it under. */
const CRITERIA = {
  age: Age,
  dateOfBirth: DateOfBirth,
  gender: codes(GenderCode),
  ethnicity: Ethnicity,
  postcode: Postcode,
  lsoa: codes(lsoaCode),
  imdDecile: ImdDecile,
  localAuthority: codes(localAuthorityCode),
  icb: codes(odsCode('an ICB code')),
  practice: codes(odsCode('a GP practice code')),
  school: School,
  flags: Flags,
  staff: Staff,
  vaccination: Vaccination,
  invitation: Invitation,
};
export const CRITERION_KINDS = Object.keys(CRITERIA) as (keyof typeof CRITERIA)[];
type CriterionValues = { [K in keyof typeof CRITERIA]: z.output<(typeof CRITERIA)[K]> };
export type Criterion = { [K in keyof CriterionValues]: { [P in K]: CriterionValues[K] } }[keyof CriterionValues];

export type CohortNode = { all: CohortNode[] } | { any: CohortNode[] } | { not: CohortNode } | Criterion;
const GROUP_KINDS = ['all', 'any', 'not'] as const;

// One object with every kind optional and exactly one given: a mistake is then reported at the
// field at fault (criteria.any[1].all[0].age.min), not as "matches none of 17 shapes".
const group = () =>
  z.array(CohortNode).min(1, 'A group needs at least one member').max(MAX_GROUP_SIZE, `At most ${MAX_GROUP_SIZE} members in a group`);
const NodeShape = z.strictObject({
  get all() {
    return group().optional();
  },
  get any() {
    return group().optional();
  },
  get not() {
    return CohortNode.optional();
  },
  ...(Object.fromEntries(Object.entries(CRITERIA).map(([k, s]) => [k, s.optional()])) as {
    [K in keyof typeof CRITERIA]: z.ZodOptional<(typeof CRITERIA)[K]>;
  }),
});

const CohortNode: z.ZodType<CohortNode, unknown> = z.lazy(() =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
      const n = Object.keys(v).length;
      if (n !== 1)
        ctx.addIssue({
          code: 'custom',
          message: `Write one group (${GROUP_KINDS.join(', ')}) or one criterion (${CRITERION_KINDS.join(', ')}) per object; found ${n === 0 ? 'none' : `${n}: ${Object.keys(v).slice(0, 5).join(', ')}`}`,
        });
    })
    .pipe(NodeShape)
    .transform((v) => v as CohortNode),
);

/** How deep groups nest under a node, and how many criteria it holds, stopping past the limits. */
function measure(
  v: unknown,
  depth: number,
  path: (string | number)[],
  ctx: z.RefinementCtx,
  seen: { criteria: number; reported: boolean },
): void {
  if (seen.reported || v === null || typeof v !== 'object' || Array.isArray(v)) return;
  for (const [key, child] of Object.entries(v)) {
    if (key === 'all' || key === 'any' || key === 'not') {
      if (depth + 1 > MAX_GROUP_DEPTH) {
        seen.reported = true;
        ctx.addIssue({ code: 'custom', message: `Groups nest at most ${MAX_GROUP_DEPTH} deep`, path: [...path, key] });
        return;
      }
      const members = key === 'not' ? [child] : Array.isArray(child) ? child.slice(0, MAX_GROUP_SIZE + 1) : [];
      members.forEach((m, i) => measure(m, depth + 1, key === 'not' ? [...path, key] : [...path, key, i], ctx, seen));
    } else if (++seen.criteria > MAX_CRITERIA) {
      seen.reported = true;
      ctx.addIssue({ code: 'custom', message: `At most ${MAX_CRITERIA} criteria in a definition`, path: [...path, key] });
      return;
    }
  }
}

/** The criteria, refused before they are read in detail when they nest too deep or are too many. */
const Criteria = z
  .unknown()
  .superRefine((v, ctx) => measure(v, 0, [], ctx, { criteria: 0, reported: false }))
  .pipe(CohortNode);

/** Whether a criterion of the kind appears anywhere in the tree (walked without recursion: it may not have passed its checks). */
function usesKind(root: unknown, kind: (typeof CRITERION_KINDS)[number]): boolean {
  const stack = [root];
  for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) stack.push(...node);
    else if (Object.hasOwn(node, kind)) return true;
    else for (const key of ['all', 'any', 'not'] as const) if (Object.hasOwn(node, key)) stack.push((node as Record<string, unknown>)[key]);
  }
  return false;
}

/** People left out automatically, each counted and shown beside the count. */
const Exclusions = z.strictObject({
  /** Already vaccinated in the definition's campaign; on whenever it names a campaign, unless turned off. */
  alreadyVaccinated: z.boolean().optional(),
  deceased: z.boolean().default(true),
  noLongerRegistered: z.boolean().default(true),
  optedOutOfEveryChannel: z.boolean().default(true),
  noUsableContact: z.boolean().default(true),
  /** Invited for the campaign within this many days; 0 turns it off. */
  invitedWithinDays: z.number().int().min(0, 'At least 0 days (0 turns it off)').max(365, 'At most 365 days').default(28),
});

/** Free text a person reads, without control characters (a NUL, a line break) or anything long. */
const label = z
  .string()
  .trim()
  .min(1, 'Give a name')
  .max(120, 'At most 120 characters')
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'No control or formatting characters');

export const CohortDefinition = z
  .strictObject({
    /** The version of this format; a later format gets a new number. */
    format: z.literal(1, 'This reads format 1 definitions: write "format": 1'),
    name: label,
    /** The seasonal campaign the cohort is for, as its rule file names it (FLU_2026_27). */
    campaign: campaignId.optional(),
    /** The date ages and flags are taken on unless a criterion says otherwise. */
    referenceDate: day,
    criteria: Criteria,
    exclusions: Exclusions.prefault({}),
  })
  .superRefine((d, ctx) => {
    if (d.campaign === undefined && usesKind(d.criteria, 'invitation'))
      ctx.addIssue({ code: 'custom', message: 'Name the campaign the invitation criteria are about', path: ['campaign'] });
    if (d.exclusions.alreadyVaccinated === true && d.campaign === undefined)
      ctx.addIssue({
        code: 'custom',
        message: 'Name the campaign to leave out people already vaccinated in it',
        path: ['exclusions', 'alreadyVaccinated'],
      });
  })
  .transform((d) => ({
    ...d,
    exclusions: { ...d.exclusions, alreadyVaccinated: d.exclusions.alreadyVaccinated ?? d.campaign !== undefined },
  }));
export type CohortDefinition = z.output<typeof CohortDefinition>;

// ---------------------------------------------------------------------------------------
// Channels: counting a definition, and saved definitions.

const CohortCountInput = z.object({
  definition: CohortDefinition,
  breakdowns: z.array(CohortBreakdown).max(COHORT_BREAKDOWNS.length).default([]),
});

const BreakdownRow = z.object({
  /** The area's, practice's or school's code, the sex or ethnic code, the decile or band; null for people with none. */
  code: z.string().nullable(),
  label: z.string(),
  count: z.number().int().nonnegative(),
});
export type BreakdownRow = z.infer<typeof BreakdownRow>;

export const CohortCount = z.object({
  /** People in scope matching the criteria, before exclusions. */
  matched: z.number().int().nonnegative(),
  /** Those left after every exclusion: the cohort. */
  count: z.number().int().nonnegative(),
  /** Each exclusion in the order applied, with how many it left out (of those not already left out). */
  exclusions: z.array(z.object({ kind: CohortExclusion, label: z.string(), count: z.number().int().nonnegative() })),
  breakdowns: z.partialRecord(CohortBreakdown, z.array(BreakdownRow)),
  /** The definition in plain English. */
  description: z.string(),
  /** "cells" when the count read the pre-counted cells, "people" when it read every person. */
  method: z.enum(['cells', 'people']),
});
export type CohortCount = z.infer<typeof CohortCount>;

const SavedCohortSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int(),
  campaign: z.string().nullable(),
  savedBy: z.string(),
  savedAt: z.string(),
});
export type SavedCohortSummary = z.infer<typeof SavedCohortSummary>;

export const SavedCohort = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The latest version's number. */
  latest: z.number().int(),
  /** The version returned. */
  version: z.number().int(),
  definition: CohortDefinition,
  description: z.string(),
  history: z.array(z.object({ version: z.number().int(), savedBy: z.string(), savedAt: z.string(), note: z.string().nullable() })),
});
export type SavedCohort = z.infer<typeof SavedCohort>;

const savedId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const cohortChannels = {
  'cohorts.count': { input: CohortCountInput, output: CohortCount },
  'cohorts.saved.list': { input: z.object({}), output: z.array(SavedCohortSummary) },
  'cohorts.saved.get': {
    input: z.object({ id: savedId, version: z.number().int().positive().max(1_000_000).optional() }),
    output: SavedCohort,
  },
  /** A new definition (no id) or a new version of one, from the version the user opened (baseVersion). */
  'cohorts.saved.save': {
    input: z.object({
      id: savedId.optional(),
      baseVersion: z.number().int().positive().max(1_000_000).optional(),
      definition: CohortDefinition,
      note: z
        .string()
        .trim()
        .max(500, 'At most 500 characters')
        .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'No control or formatting characters')
        .optional(),
    }),
    /** What was saved, as stored. */
    output: z.object({ id: z.number().int(), version: z.number().int(), name: z.string(), note: z.string().nullable() }),
  },
} as const;

export type CohortHandlers = HandlersOf<typeof cohortChannels>;

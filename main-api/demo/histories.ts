// Vaccination histories for the demo region: childhood doses as the schedule of each child's
// own birth cohort had them, school-aged doses, seasonal flu and COVID-19, older adults' and
// pregnancy vaccines, a few declines and rare adverse reactions. Written with COPY as one phase
// of the demo load, after the people. Deterministic: the same people and seed give the same rows.
import type { DbClient } from '../platform/db/database';
import { CopyWriter, field } from '../platform/db/copy-writer';
import { addMonthsDays, formatDay, requireDay, schoolYearStart } from '../shared/calendar/dates';
import { Catalogue, P } from './histories-catalogue';
import { PB, type HistoryPeople } from './histories-people';
import { createRng, type Rng } from './prng';
import type { DemoNames } from './region';
import type { ReactionCode } from '../shared/vocabulary/reactions';
import { SITE_SNOMED_TERMS, type SiteCode } from '../shared/vocabulary/sites';

export const EVENT_COLUMNS = [
  'id',
  'person_id',
  'programme_code',
  'outcome',
  'not_given_reason',
  'occurred_at',
  'occurred_on',
  'dose_sequence',
  'product_code',
  'batch_id',
  'batch_number',
  'expiry_date',
  'site_code',
  'site_term',
  'route_code',
  'route_term',
  'dose_amount',
  'dose_unit_code',
  'dose_unit_term',
  'performer_name',
  'performer_role',
  'location_code',
  'location_type',
  'organisation_code',
  'legal_basis',
  'primary_source',
  'source_system',
  'source_id',
  'notes',
] as const;
export const REACTION_COLUMNS = [
  'person_id',
  'vaccination_event_id',
  'onset_at',
  'reaction_code',
  'description',
  'seriousness',
  'outcome',
  'reporter',
  'yellow_card_reference',
  'reported_to_mhra',
] as const;

/** The community trust whose school-aged immunisation team vaccinates in the demo's schools. */
const SCHOOL_TEAM_ODS = 'RYY';
/** About one reaction per 2,000 doses given. */
const REACTION_RATE = 1 / 2000;

const d = (iso: string): number => requireDay(iso);
const DAY = {
  SIX_IN_ONE_COHORT: d('2017-06-01'),
  VAXELIS: d('2021-07-01'),
  ROTA_START: d('2013-07-01'),
  ROTA_COHORT: d('2013-05-01'),
  MENB_START: d('2015-09-01'),
  MENB_COHORT: d('2015-05-01'),
  PCV_2P1_LAST_COHORT: d('2019-12-31'),
  SCHEDULE_2025: d('2025-07-01'),
  HIBMENC_LAST_COHORT: d('2024-06-30'),
  MMRV_12M_COHORT: d('2025-01-01'),
  MMRV_18M_COHORT: d('2024-07-01'),
  MMRV_3Y4M_COHORT: d('2022-09-01'),
  MMRV_START: d('2026-01-01'),
  HPV_BOYS_COHORT: d('2006-09-01'),
  SHINGRIX_START: d('2023-09-01'),
  SHINGLES_65_COHORT: d('1958-09-01'),
  RSV_START: d('2024-09-01'),
  RSV_80_PLUS: d('2026-04-01'),
  RECENT: d('2025-01-01'),
};

/** Children born on or after this many years before the reference date get a childhood history. */
const CHILD_YEARS = 20;

const F = (s: string): Uint8Array => field(s);
const siteFields = (code: SiteCode) => [F(code), F(SITE_SNOMED_TERMS[code])] as const;
const SITE = {
  LEFT_THIGH: siteFields('61396006'),
  RIGHT_THIGH: siteFields('11207009'),
  LEFT_ARM: siteFields('368208006'),
  RIGHT_ARM: siteFields('368209003'),
} as const;
type Site = readonly [Uint8Array, Uint8Array] | null;

const PROG = {
  ROUTINE: F('ROUTINE_CHILDHOOD'),
  SCHOOL: F('SCHOOL_AGED'),
  ADULT: F('ADULT'),
};
/**
 * The flu seasons the demo vaccinates in (resources/schedule/flu-*.json): the programme, when
 * children and pregnant women start, when adults start, the end, and the day school years count
 * from. A season still running on the reference date has the doses given so far.
 */
const FLU_SEASONS = [
  { programme: F('FLU_2025_26'), start: d('2025-09-01'), adultStart: d('2025-10-01'), end: d('2026-03-31'), ageDay: d('2025-08-31') },
  { programme: F('FLU_2026_27'), start: d('2026-09-01'), adultStart: d('2026-10-01'), end: d('2027-03-31'), ageDay: d('2026-08-31') },
];
type FluSeason = (typeof FLU_SEASONS)[number];

/** The COVID-19 campaigns, with the uptake among those eligible (resources/schedule/covid-19-*.json). */
const COVID_CAMPAIGNS = [
  { programme: F('COVID19_AUTUMN_2025'), from: d('2025-10-01'), to: d('2026-01-31'), uptake: 0.62 },
  { programme: F('COVID19_SPRING_2026'), from: d('2026-04-13'), to: d('2026-06-30'), uptake: 0.55 },
  { programme: F('COVID19_AUTUMN_2026'), from: d('2026-10-01'), to: d('2027-01-31'), uptake: 0.6 },
];
const GIVEN = F('GIVEN');
const NOT_GIVEN = F('NOT_GIVEN');
const DECLINED = F('DECLINED');
const ODS = F('ODS');
const URN = F('URN');
/** Each of a record's words as a COPY field, under the same keys. */
const fields = <K extends string>(words: Record<K, string>): Record<K, Uint8Array> =>
  Object.fromEntries(Object.entries<string>(words).map(([k, w]) => [k, F(w)])) as Record<K, Uint8Array>;
const LEGAL = fields({ PGD: 'PGD', PSD: 'PSD', PROTOCOL: 'NATIONAL_PROTOCOL' });
const ROLE = fields({
  PRACTICE_NURSE: 'Practice nurse',
  HCA: 'Healthcare assistant',
  SCHOOL_NURSE: 'School immunisation nurse',
  OH_NURSE: 'Occupational health nurse',
  COMMUNITY_NURSE: 'Community nurse',
});
const SYSTEM = fields({ IMS: 'IMS', PARENT: 'Parent-held record', GP: 'GP clinical system' });
const NOTE = fields({
  ABROAD: 'Given abroad before the family moved to England; recorded from the parent-held record.',
  HISTORIC: 'Historical record transferred from the GP clinical system.',
  DECLINED_PARENT: 'Parent declined after discussion; information leaflet given.',
  DECLINED: 'Declined when offered.',
});
const REACTIONS: [code: ReactionCode, description: string, weight: number][] = [
  ['LOCAL_REACTION', 'Redness and swelling at the injection site', 50],
  ['FEVER', 'Temperature above 38 C within 48 hours', 30],
  ['RASH', 'Mild generalised rash', 6],
  ['SYNCOPE', 'Fainted shortly after vaccination; recovered on lying down', 8],
  ['HYPOTONIC_HYPORESPONSIVE', 'Brief floppy, pale and unresponsive episode', 2],
  ['SEIZURE', 'Febrile convulsion', 1],
  ['ANAPHYLAXIS', 'Anaphylaxis within minutes of vaccination; adrenaline given, admitted overnight', 3],
];

export interface HistorySummary {
  events: number;
  given: number;
  notGiven: number;
  reactions: number;
  batches: number;
  seconds: number;
}

interface Who {
  performer: Uint8Array | null;
  role: Uint8Array | null;
  location: Uint8Array | null;
  locationType: Uint8Array | null;
  org: Uint8Array | null;
  legal: Uint8Array | null;
}

interface Reaction {
  personId: number;
  eventId: number;
  day: number;
  minute: number;
  age: number;
}

/** Exponentially distributed whole days: most people come early in a campaign, a tail later. */
const expDays = (rng: Rng, mean: number): number => Math.floor(-Math.log(1 - rng.next()) * mean);

export class HistoryGenerator {
  private readonly rng: Rng;
  private readonly asOf: number;
  private readonly out = new CopyWriter();
  private readonly days = new Map<number, Uint8Array>();
  private readonly practiceCodes: Uint8Array[];
  private readonly schoolCodes: (Uint8Array | null)[];
  private readonly careHomeCodes: Uint8Array[];
  private readonly employerCodes: Uint8Array[];
  private readonly practiceStaff: Uint8Array[][];
  private readonly schoolNurses: Uint8Array[];
  private readonly ohNurses: Uint8Array[][];
  private readonly schoolTeam: Uint8Array;
  private nextId: number;
  private written = 0;
  /** People done so far (index into HistoryPeople). */
  done = 0;
  given = 0;
  notGiven = 0;
  readonly reactions: Reaction[] = [];
  // Per-person scratch.
  private personId = 0;
  private dob = 0;
  private end = 0;
  private who: Who = { performer: null, role: null, location: null, locationType: null, org: null, legal: null };

  constructor(
    private readonly people: HistoryPeople,
    private readonly catalogue: Catalogue,
    names: DemoNames,
    opts: { seed: number; asOf: string; firstEventId: number },
  ) {
    // Its own stream, so the people of a seed are the same whether or not histories are made.
    this.rng = createRng(Math.floor(createRng(opts.seed).next() * 2 ** 32) + 0x4849);
    this.asOf = requireDay(opts.asOf);
    this.nextId = opts.firstEventId;
    this.practiceCodes = people.practices.values.map(F);
    this.schoolCodes = people.schools.values.map((u) => (u === '999999' || u === '888888' ? null : F(u)));
    this.careHomeCodes = people.careHomes.values.map(F);
    this.employerCodes = people.employers.values.map(F);
    this.schoolTeam = F(SCHOOL_TEAM_ODS);
    // Staff names come from a fixed stream so every seed has the same nurses.
    const staffRng = createRng(20_251_001);
    const person = (): Uint8Array => {
      const given = staffRng.chance(0.85) ? staffRng.pick(names.female) : staffRng.pick(names.male);
      return F(`${given} ${staffRng.pick(names.family)}`);
    };
    this.practiceStaff = this.practiceCodes.map(() => [person(), person(), person()]);
    this.schoolNurses = Array.from({ length: 12 }, person);
    this.ohNurses = this.employerCodes.map(() => [person(), person()]);
  }

  get events(): number {
    return this.written;
  }

  private day(n: number): Uint8Array {
    let b = this.days.get(n);
    if (b === undefined) {
      b = F(formatDay(n));
      this.days.set(n, b);
    }
    return b;
  }

  /** Generates histories for the next `count` people; returns their COPY rows. */
  chunk(count: number): Buffer {
    const stop = Math.min(this.people.count, this.done + count);
    for (; this.done < stop; this.done++) this.person(this.done);
    return this.out.take();
  }

  private person(i: number): void {
    const p = this.people;
    this.personId = p.firstId + i;
    this.dob = p.dob[i]!;
    const death = p.death[i]!;
    this.end = death >= 0 ? Math.min(death, this.asOf) : this.asOf;
    if (this.end < this.dob) return;
    const ageYears = (this.asOf - this.dob) / 365.2425;
    if (ageYears < CHILD_YEARS) this.child(i);
    this.seasonal(i, ageYears);
    if (ageYears >= 60) this.olderAdult(i);
    if (p.conceived[i]! >= 0) this.pregnancy(i);
  }

  // ---- who gave it, and where ----

  private atPractice(i: number, nurse = true): boolean {
    const pr = this.people.practice[i]!;
    const w = this.who;
    if (pr < 0) {
      // No current practice (deregistered): where they were seen is not known here.
      w.performer = null;
      w.role = null;
      w.location = null;
      w.locationType = null;
      w.org = null;
      w.legal = null;
      return false;
    }
    const code = this.practiceCodes[pr]!;
    const staff = this.practiceStaff[pr]!;
    if (nurse) {
      w.performer = staff[this.rng.int(2)]!;
      w.role = ROLE.PRACTICE_NURSE;
      w.legal = this.rng.chance(0.75) ? LEGAL.PGD : LEGAL.PSD;
    } else {
      w.performer = staff[2]!;
      w.role = ROLE.HCA;
      w.legal = LEGAL.PROTOCOL;
    }
    w.location = code;
    w.locationType = ODS;
    w.org = code;
    return true;
  }

  private atSchool(i: number): void {
    const w = this.who;
    const s = this.people.school[i]!;
    const urn = s >= 0 ? this.schoolCodes[s]! : null;
    w.performer = this.rng.pick(this.schoolNurses);
    w.role = ROLE.SCHOOL_NURSE;
    w.legal = LEGAL.PGD;
    w.org = this.schoolTeam;
    // Home-educated children and school leavers are seen at a community clinic.
    w.location = urn ?? this.schoolTeam;
    w.locationType = urn ? URN : ODS;
  }

  // ---- rows ----

  /** Starts an event row with its id, person and programme. */
  private row(programme: Uint8Array): CopyWriter {
    const o = this.out;
    const id = this.nextId++;
    this.written++;
    o.uint(id).uint(this.personId).bytes(programme);
    return o;
  }

  /**
   * A dose given. Recorded here (primary source) with batch, site and time when `reported` is
   * null; otherwise a reported record from `reported` without batch or performer.
   */
  private give(
    programme: Uint8Array,
    day: number,
    dose: number | null,
    product: string,
    site: Site,
    reported: { system: Uint8Array; note: Uint8Array } | null = null,
  ): void {
    const plan = this.catalogue.product(product);
    const batch = reported ? null : this.catalogue.batch(plan, day, this.rng);
    if (!reported && !batch) reported = { system: SYSTEM.GP, note: NOTE.HISTORIC };
    const o = this.row(programme);
    const id = this.nextId - 1;
    o.bytes(GIVEN).null();
    let minute = 0;
    if (!reported && day >= DAY.RECENT) {
      minute = 9 * 60 + this.rng.int(8 * 60);
      o.begin()
        .append(this.day(day))
        .append(` ${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00 Europe/London`);
    } else o.null();
    o.bytes(this.day(day));
    if (dose === null) o.null();
    else o.uint(dose);
    o.bytes(plan.code);
    if (batch) o.uint(batch.id).bytes(batch.number).bytes(batch.expiry);
    else o.null().null().null();
    if (site && !reported) o.bytes(site[0]).bytes(site[1]);
    else o.null().null();
    if (plan.route) o.bytes(plan.route[0]).bytes(plan.route[1]);
    else o.null().null();
    if (plan.amount && plan.unit) o.bytes(plan.amount).bytes(plan.unit[0]).bytes(plan.unit[1]);
    else o.null().null().null();
    const w = this.who;
    if (reported) {
      o.null().null().null().null().null().null().bool(false).bytes(reported.system);
    } else {
      if (w.performer) o.bytes(w.performer).bytes(w.role!);
      else o.null().null();
      if (w.location) o.bytes(w.location).bytes(w.locationType!);
      else o.null().null();
      if (w.org) o.bytes(w.org);
      else o.null();
      if (w.legal) o.bytes(w.legal);
      else o.null();
      o.bool(true).bytes(SYSTEM.IMS);
    }
    o.begin().append('DEMO-').append(String(id));
    if (reported) o.bytes(reported.note);
    else o.null();
    o.endRow();
    this.given++;
    if (!reported && this.rng.chance(REACTION_RATE)) {
      this.reactions.push({ personId: this.personId, eventId: id, day, minute: minute || 10 * 60, age: (day - this.dob) / 365.2425 });
    }
  }

  /** A dose offered and declined; product recorded when the offer was for a specific vaccine. */
  private decline(programme: Uint8Array, day: number, product: string | null, note: Uint8Array): void {
    const o = this.row(programme);
    const id = this.nextId - 1;
    o.bytes(NOT_GIVEN).bytes(DECLINED).null().bytes(this.day(day)).null();
    if (product) o.bytes(this.catalogue.product(product).code);
    else o.null();
    o.null().null().null().null().null().null().null().null().null().null();
    const w = this.who;
    if (w.performer) o.bytes(w.performer).bytes(w.role!);
    else o.null().null();
    if (w.location) o.bytes(w.location).bytes(w.locationType!);
    else o.null().null();
    if (w.org) o.bytes(w.org);
    else o.null();
    o.null().bool(true).bytes(SYSTEM.IMS);
    o.begin().append('DEMO-').append(String(id));
    o.bytes(note).endRow();
    this.notGiven++;
  }

  // ---- childhood ----

  private child(i: number): void {
    const { rng } = this;
    const p = this.people;
    const dob = this.dob;
    const end = this.end;
    const decile = p.decile[i]!;
    // +1 in the most deprived decile, -1 in the least: uptake falls with deprivation.
    const dep = decile === 0 ? 0 : (5.5 - decile) / 4.5;
    const hesitancy = rng.next();
    const missed = (threshold: number): boolean => hesitancy < threshold * (1 + 0.8 * dep) || rng.chance(0.008);
    // Movers-in: arrived from abroad at some age with a partial, parent-held record.
    const mover = rng.chance(0.04);
    const arrival = mover ? dob + rng.int(Math.max(1, end - dob)) : dob;

    let last = -1e9;
    let dtap = 0;
    let lastDtap = -1e9;
    let menb = 0;
    let lastMenb = -1e9;
    let rota = 0;
    let pcv = 0;
    let lastPcv = -1e9;
    let mmr = 0;
    const abroadRecord = { system: SYSTEM.PARENT, note: NOTE.ABROAD };

    /** Decides whether and when a routine visit happened; returns its day or -1. */
    const visit = (due: number, threshold: number, notBefore = -1e9): { day: number; abroad: boolean } | null => {
      if (due > end) return null;
      if (due < arrival) {
        // Before the family arrived: some doses were given abroad, dates from the record.
        if (!rng.chance(0.6)) return null;
        const day = Math.max(due + rng.int(28), last + 28);
        if (day > end || day >= arrival) return null;
        last = day;
        return { day, abroad: true };
      }
      if (missed(threshold)) return null;
      const r = rng.next();
      const delay = r < 0.72 ? rng.int(15) : r < 0.93 ? 14 + rng.int(50) : 60 + rng.int(200);
      const day = Math.max(due + delay, last + 28, notBefore);
      if (day > end) return null;
      last = day;
      this.atPractice(i);
      return { day, abroad: false };
    };
    const infantSite = (day: number, left: boolean): Site =>
      day - dob < 365 ? (left ? SITE.LEFT_THIGH : SITE.RIGHT_THIGH) : left ? SITE.LEFT_ARM : SITE.RIGHT_ARM;
    const six = (v: { day: number; abroad: boolean }): void => {
      const product = dob >= DAY.SIX_IN_ONE_COHORT ? (v.day >= DAY.VAXELIS && rng.chance(0.35) ? P.VAXELIS : P.INFANRIX_HEXA) : P.PEDIACEL;
      this.give(PROG.ROUTINE, v.day, ++dtap, product, infantSite(v.day, true), v.abroad ? abroadRecord : null);
      lastDtap = v.day;
    };
    const menbOk = (day: number): boolean => dob >= DAY.MENB_COHORT && day >= DAY.MENB_START;
    const giveMenb = (day: number): void => {
      this.give(PROG.ROUTINE, day, ++menb, P.BEXSERO, infantSite(day, true));
      lastMenb = day;
    };
    const rotaOk = (day: number): boolean => dob >= DAY.ROTA_COHORT && day >= DAY.ROTA_START;
    const givePcv = (v: { day: number; abroad: boolean }): void => {
      this.give(PROG.ROUTINE, v.day, ++pcv, P.PREVENAR13, infantSite(v.day, false), v.abroad ? abroadRecord : null);
      lastPcv = v.day;
    };
    const mmrProduct = (mmrv: boolean): string =>
      mmrv ? (rng.chance(0.5) ? P.PROQUAD : P.PRIORIX_TETRA) : rng.chance(0.55) ? P.PRIORIX : P.MMRVAXPRO;

    // 8 weeks: 6-in-1 (5-in-1 before mid-2017), MenB, rotavirus; PCV in the old 2+1 schedule.
    let v = visit(dob + 56, 0.03);
    if (v) {
      six(v);
      if (!v.abroad) {
        if (menbOk(v.day)) giveMenb(v.day);
        if (rotaOk(v.day) && v.day - dob >= 42 && v.day - dob < 105) this.give(PROG.ROUTINE, v.day, ++rota, P.ROTARIX, null);
      }
      if (dob <= DAY.PCV_2P1_LAST_COHORT) givePcv(v);
    }
    // 12 weeks.
    v = visit(dob + 84, 0.04);
    if (v) {
      six(v);
      if (!v.abroad) {
        if (menbOk(v.day) && v.day - dob < 365 && (menb === 0 || (menb === 1 && v.day >= DAY.SCHEDULE_2025 && v.day - lastMenb >= 28)))
          giveMenb(v.day);
        const age = v.day - dob;
        if (rotaOk(v.day) && ((rota === 0 && age >= 42 && age < 105) || (rota === 1 && age >= 70 && age < 168))) {
          this.give(PROG.ROUTINE, v.day, rota + 1, P.ROTARIX, null);
        }
        if (dob > DAY.PCV_2P1_LAST_COHORT && v.day < DAY.SCHEDULE_2025 && pcv === 0) givePcv(v);
      }
    }
    // 16 weeks.
    v = visit(dob + 112, 0.05);
    if (v) {
      six(v);
      if (!v.abroad) {
        const gap = v.day < DAY.SCHEDULE_2025 ? 56 : 28;
        if (menbOk(v.day) && v.day - dob < 365 && menb < 2 && v.day - lastMenb >= gap) giveMenb(v.day);
      }
      // The old 2+1 schedule wanted 8 weeks between the two infant doses.
      if (dob <= DAY.PCV_2P1_LAST_COHORT ? pcv < 2 && v.day - lastPcv >= 56 : pcv === 0) givePcv(v);
    }
    // 1 year: Hib/MenC (until the 2024 cohorts), MMR (MMRV from the 2025 cohort), boosters.
    const oneYear = addMonthsDays(dob, 12, 0);
    v = visit(oneYear, 0.1);
    if (v) {
      if (!v.abroad && dob <= DAY.HIBMENC_LAST_COHORT) this.give(PROG.ROUTINE, v.day, 1, P.MENITORIX, SITE.LEFT_ARM);
      const mmrv = dob >= DAY.MMRV_12M_COHORT;
      this.give(PROG.ROUTINE, v.day, ++mmr, mmrProduct(mmrv), SITE.RIGHT_ARM, v.abroad ? abroadRecord : null);
      if (v.day < addMonthsDays(dob, 24, 0)) {
        givePcv(v);
        if (!v.abroad && menbOk(v.day) && menb > 0 && v.day - lastMenb >= 56) giveMenb(v.day);
      }
    } else if (oneYear <= end && oneYear >= arrival && hesitancy < 0.03 && rng.chance(0.5)) {
      // Some refusals are recorded as such when the family is contacted.
      this.atPractice(i);
      this.decline(
        PROG.ROUTINE,
        Math.min(end, oneYear + 14 + rng.int(60)),
        dob >= DAY.MMRV_12M_COHORT ? P.PROQUAD : P.PRIORIX,
        NOTE.DECLINED_PARENT,
      );
    }
    // 18 months (from January 2026, children born from July 2024): 6-in-1 booster and MMRV.
    const mmrvAt18m = dob >= DAY.MMRV_18M_COHORT;
    if (mmrvAt18m) {
      v = visit(Math.max(addMonthsDays(dob, 18, 0), DAY.MMRV_START), 0.11);
      if (v) {
        six(v);
        this.give(PROG.ROUTINE, v.day, ++mmr, mmrProduct(true), SITE.RIGHT_ARM, v.abroad ? abroadRecord : null);
      }
    }
    // 3 years 4 months: pre-school booster, at least a year after the last 6-in-1 dose; MMR
    // dose 2 (MMRV for children born September 2022 to June 2024) unless given at 18 months.
    v = visit(addMonthsDays(dob, 40, 0), 0.14, lastDtap + 365);
    if (v) {
      this.give(PROG.ROUTINE, v.day, 1, rng.chance(0.55) ? P.BOOSTRIX_IPV : P.REPEVAX, SITE.LEFT_ARM, v.abroad ? abroadRecord : null);
      if (!mmrvAt18m) {
        const mmrv = dob >= DAY.MMRV_3Y4M_COHORT && v.day >= DAY.MMRV_START;
        this.give(PROG.ROUTINE, v.day, mmr + 1, mmrProduct(mmrv), SITE.RIGHT_ARM, v.abroad ? abroadRecord : null);
      }
    }

    // School-aged programmes, by the school-aged immunisation team.
    const female = (p.bits[i]! & PB.FEMALE) !== 0;
    const schoolIdx = p.school[i]!;
    const homeEducated = schoolIdx >= 0 && this.schoolCodes[schoolIdx] === null;
    const schoolUptake = (base: number): number => base - 0.07 * dep - (homeEducated ? 0.3 : 0);
    const y8 = schoolYearStart(dob, 8) + 30 + rng.int(240);
    if (y8 <= end && y8 >= arrival && (female || dob >= DAY.HPV_BOYS_COHORT) && rng.chance(schoolUptake(female ? 0.84 : 0.78))) {
      this.atSchool(i);
      this.give(PROG.SCHOOL, y8, 1, P.GARDASIL9, SITE.LEFT_ARM);
    }
    const y9 = schoolYearStart(dob, 9) + 30 + rng.int(240);
    if (y9 <= end && y9 >= arrival) {
      this.atSchool(i);
      if (rng.chance(schoolUptake(0.82))) {
        const r = rng.next();
        this.give(PROG.SCHOOL, y9, 1, r < 0.5 ? P.NIMENRIX : r < 0.8 ? P.MENQUADFI : P.MENVEO, SITE.RIGHT_ARM);
        if (rng.chance(0.96)) this.give(PROG.SCHOOL, y9, 1, P.REVAXIS, SITE.LEFT_ARM);
      } else if (rng.chance(0.08)) {
        this.decline(PROG.SCHOOL, y9, P.REVAXIS, NOTE.DECLINED_PARENT);
      }
    }
  }

  // ---- seasonal: each flu season, and the COVID-19 campaigns ----

  private seasonal(i: number, ageYears: number): void {
    const { rng } = this;
    const p = this.people;
    const bits = p.bits[i]!;
    const decile = p.decile[i]!;
    const dep = decile === 0 ? 0 : (5.5 - decile) / 4.5;
    const dob = this.dob;
    const ageOn = (day: number): number => (day - dob) / 365.2425;
    for (const season of FLU_SEASONS) this.fluSeason(i, ageYears, season, dep, ageOn);

    // COVID-19: care-home residents, 75 and over, immunosuppressed.
    const immuno = (bits & PB.IMMUNOSUPPRESSED) !== 0;
    const careHome = (bits & PB.CARE_HOME) !== 0;
    if (ageYears < 12) return;
    for (const { programme, from, to, uptake } of COVID_CAMPAIGNS) {
      // Age counts on the campaign's last day. Immunosuppressed children under 12 need a
      // children's formulation: left out of the demo.
      const old = ageOn(to) >= 75;
      if (!careHome && !old && !(immuno && ageOn(from) >= 12)) continue;
      const day = Math.min(from + expDays(rng, 20), to);
      if (day > this.end) continue;
      this.seasonalWho(i, careHome ? 'care-home' : 'practice');
      const u = (careHome ? uptake + 0.1 : immuno && !old ? uptake - 0.12 : uptake) - 0.07 * dep;
      if (rng.chance(u)) this.give(programme, day, null, P.COMIRNATY_LP81, rng.chance(0.8) ? SITE.LEFT_ARM : SITE.RIGHT_ARM);
      else if (rng.chance(0.15)) this.decline(programme, day, null, NOTE.DECLINED);
    }
  }

  /** One flu season for person i; dep is their deprivation weight, ageOn their age in years on a day. */
  private fluSeason(i: number, ageYears: number, season: FluSeason, dep: number, ageOn: (day: number) => number): void {
    const { rng } = this;
    const p = this.people;
    const bits = p.bits[i]!;
    const ageAug = ageOn(season.ageDay);
    const ageMar = ageOn(season.end);

    // Flu: the highest uptake of the groups the person is in, and who gives it.
    let uptake = 0;
    let start = season.adultStart;
    let setting: 'practice' | 'school' | 'staff' | 'care-home' = 'practice';
    let pregnantFrom = -1;
    let pregnantTo = -1;
    if (ageAug >= 2 && ageAug < 4) {
      uptake = 0.45;
      start = season.start;
    } else if (ageAug >= 4 && ageAug < 16) {
      uptake = 0.56;
      start = season.start;
      setting = 'school';
    }
    if (ageYears >= 0.5 && ageMar < 18 && bits & PB.RISK_CHILD && uptake < 0.5) {
      uptake = 0.5;
      start = season.start;
      setting = 'practice';
    }
    if (ageMar >= 65) uptake = Math.max(uptake, 0.7);
    if (ageMar >= 18 && ageMar < 65 && bits & PB.RISK_ADULT) uptake = Math.max(uptake, 0.4);
    if (ageMar >= 18 && bits & (PB.CARER | PB.CONTACT)) uptake = Math.max(uptake, 0.38);
    const conceived = p.conceived[i]!;
    if (conceived >= 0) {
      pregnantFrom = Math.max(conceived + 28, season.start);
      pregnantTo = Math.min(conceived + 266, season.end);
      if (pregnantFrom <= pregnantTo && uptake < 0.35) {
        uptake = 0.35;
        start = pregnantFrom;
      }
    }
    if (bits & PB.FRONTLINE && p.staffFrom[i]! <= season.adultStart && p.staffTo[i]! >= season.adultStart && uptake < 0.45) {
      uptake = 0.45;
      start = season.start + 14;
      setting = 'staff';
    }
    if (bits & PB.CARE_HOME) {
      uptake = 0.82;
      setting = 'care-home';
    }
    if (uptake > 0) {
      const day = Math.min(
        start + expDays(rng, 24),
        pregnantTo >= 0 && setting === 'practice' && start === pregnantFrom ? pregnantTo : season.end,
      );
      if (day <= this.end && ageOn(day) >= 0.5) {
        this.seasonalWho(i, setting);
        if (rng.chance(Math.max(0.05, uptake - 0.08 * dep))) {
          const age = ageOn(day);
          let product: string;
          if (age < 18) product = age >= 2 && !(bits & PB.IMMUNOSUPPRESSED) ? P.FLUENZ : P.FLU_CELL;
          else if (age >= 65) product = rng.chance(0.6) ? P.FLU_ADJUVANTED : P.FLU_CELL;
          else {
            const r = rng.next();
            product = r < 0.5 ? P.FLU_CELL : r < 0.8 ? P.FLU_VAXIGRIP : P.FLU_VIATRIS;
          }
          this.give(season.programme, day, 1, product, product === P.FLUENZ ? null : rng.chance(0.8) ? SITE.LEFT_ARM : SITE.RIGHT_ARM);
        } else if (rng.chance(ageMar >= 18 ? 0.12 : 0.05)) {
          this.decline(season.programme, day, null, NOTE.DECLINED);
        }
      }
    }
  }

  private seasonalWho(i: number, setting: 'practice' | 'school' | 'staff' | 'care-home'): void {
    const p = this.people;
    if (setting === 'school') return this.atSchool(i);
    if (setting === 'staff') {
      const e = p.employer[i]!;
      const w = this.who;
      w.performer = this.rng.pick(this.ohNurses[e]!);
      w.role = ROLE.OH_NURSE;
      w.legal = LEGAL.PGD;
      w.org = this.employerCodes[e]!;
      w.location = w.org;
      w.locationType = ODS;
      return;
    }
    this.atPractice(i, this.rng.chance(0.6));
    if (setting === 'care-home') {
      const w = this.who;
      w.location = this.careHomeCodes[p.careHome[i]!]!;
      w.locationType = ODS;
      w.role = ROLE.COMMUNITY_NURSE;
      w.legal = LEGAL.PGD;
    }
  }

  // ---- older adults: PPV23, shingles, RSV ----

  private olderAdult(i: number): void {
    const { rng } = this;
    const dob = this.dob;
    const end = this.end;
    const decile = this.people.decile[i]!;
    const dep = decile === 0 ? 0 : (5.5 - decile) / 4.5;
    const at65 = addMonthsDays(dob, 65 * 12, 0);
    if (at65 <= end && rng.chance(0.7 - 0.06 * dep)) {
      const day = at65 + rng.int(540);
      if (day <= end) {
        this.atPractice(i);
        this.give(
          PROG.ADULT,
          day,
          1,
          P.PNEUMOVAX,
          SITE.LEFT_ARM,
          day < DAY.RECENT - 365 * 12 ? { system: SYSTEM.GP, note: NOTE.HISTORIC } : null,
        );
      }
    }
    // Shingrix: turning 65 from September 2023, or aged 70 to 79.
    const from = Math.max(DAY.SHINGRIX_START, addMonthsDays(dob, (dob >= DAY.SHINGLES_65_COHORT ? 65 : 70) * 12, 0));
    const until = Math.min(end, addMonthsDays(dob, 80 * 12, 0) - 1);
    if (from <= until && rng.chance(0.5 - 0.06 * dep)) {
      const day1 = from + rng.int(Math.min(400, until - from + 1));
      this.atPractice(i);
      this.give(PROG.ADULT, day1, 1, P.SHINGRIX, SITE.LEFT_ARM);
      const day2 = day1 + 182 + rng.int(183);
      if (day2 <= end && rng.chance(0.85)) {
        this.atPractice(i);
        this.give(PROG.ADULT, day2, 2, P.SHINGRIX, SITE.LEFT_ARM);
      }
    }
    // RSV: turning 75 from September 2024 with a catch-up to 79; from April 2026 also 80 and over.
    let rsvFrom = Math.max(DAY.RSV_START, addMonthsDays(dob, 75 * 12, 0));
    if (rsvFrom >= addMonthsDays(dob, 80 * 12, 0)) rsvFrom = Math.max(rsvFrom, DAY.RSV_80_PLUS);
    if (rsvFrom <= end && rng.chance(0.55 - 0.06 * dep)) {
      const day = rsvFrom + rng.int(Math.min(300, end - rsvFrom + 1));
      if (day < addMonthsDays(dob, 80 * 12, 0) || day >= DAY.RSV_80_PLUS) {
        this.atPractice(i);
        this.give(PROG.ADULT, day, 1, P.ABRYSVO, SITE.LEFT_ARM);
      }
    }
  }

  // ---- pregnancy: pertussis from 16 weeks, RSV from 28 weeks ----

  private pregnancy(i: number): void {
    const { rng } = this;
    const conceived = this.people.conceived[i]!;
    const pertussis = conceived + 112 + rng.int(70);
    if (pertussis <= this.end && rng.chance(0.6)) {
      this.atPractice(i);
      this.give(PROG.ADULT, pertussis, 1, P.BOOSTRIX_IPV, SITE.LEFT_ARM);
    }
    const rsv = conceived + 196 + rng.int(42);
    if (rsv <= this.end && rsv >= DAY.RSV_START && rng.chance(0.45)) {
      this.atPractice(i);
      this.give(PROG.ADULT, rsv, 1, P.ABRYSVO, SITE.RIGHT_ARM);
    }
  }

  /** COPY rows for the adverse reactions drawn so far. */
  reactionRows(): Buffer {
    const o = new CopyWriter(1 << 16);
    const rng = this.rng;
    const weights = REACTIONS.map((r) => r[2]);
    const total = weights.reduce((a, b) => a + b, 0);
    for (const r of this.reactions) {
      let x = rng.next() * total;
      let k = 0;
      while (k < REACTIONS.length - 1 && x >= weights[k]!) x -= weights[k++]!;
      let [code, description] = REACTIONS[k]!;
      // Fainting belongs to teenagers and adults, floppy episodes to infants.
      if (code === 'SYNCOPE' && r.age < 10) [code, description] = REACTIONS[1]!;
      if (code === 'HYPOTONIC_HYPORESPONSIVE' && r.age >= 2) [code, description] = REACTIONS[0]!;
      const serious = code === 'ANAPHYLAXIS' || code === 'SEIZURE';
      const onset = Math.min(
        23 * 60 + 59,
        r.minute + (code === 'ANAPHYLAXIS' || code === 'SYNCOPE' ? 5 + rng.int(15) : 120 + rng.int(300)),
      );
      o.uint(r.personId).uint(r.eventId);
      o.begin()
        .append(this.day(r.day))
        .append(` ${String(Math.floor(onset / 60)).padStart(2, '0')}:${String(onset % 60).padStart(2, '0')}:00 Europe/London`);
      o.ascii(code)
        .text(description)
        .ascii(serious ? 'HOSPITALISED' : 'NOT_SERIOUS');
      o.ascii(r.day > this.asOf - 7 ? 'RECOVERING' : 'RECOVERED');
      o.text(serious ? 'Vaccinator' : rng.chance(0.6) ? 'Parent or patient' : 'Practice nurse');
      const reported = serious || rng.chance(0.2);
      if (reported) o.ascii(`YC-${formatDay(r.day).slice(0, 4)}-${String(100000 + rng.int(900000))}`);
      else o.null();
      o.bool(reported).endRow();
    }
    return o.take();
  }
}

/** The first free vaccination event id: the load assigns ids itself so reactions can refer to them. */
export async function firstEventId(client: DbClient): Promise<number> {
  const { rows } = await client.query<{ max: string | null }>(`SELECT max(id)::text AS max FROM ims.vaccination_event`);
  return Number(rows[0]!.max ?? 0) + 1;
}

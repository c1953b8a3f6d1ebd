// Generates the demo region's people as PostgreSQL COPY text, chunk by chunk. Pure: the same
// seed, start id, first NHS stem and reference date always give the same text.
import { formatDay, requireDay, schoolYearGroup, wholeYears } from '../shared/calendar/dates';
import { CopyWriter, field } from '../platform/db/copy-writer';
import type { HistoryPeople } from './histories-people';
import { NhsNumberSequence } from './nhs-sequence';
import { WeightedIndex, WeightedPicker, createRng, rankWeights, type Rng } from './prng';
import type { DemoNames, DemoRegion } from './region';
import type { StaffGroup } from '../shared/vocabulary/people';

/** Fixed so that a seed means the same people whenever it is loaded. */
export const DEMO_AS_OF = '2026-10-01';

export const PERSON_COLUMNS = [
  'id',
  'nhs_number',
  'given_name',
  'family_name',
  'other_given_names',
  'date_of_birth',
  'gender_code',
  'ethnic_category',
  'postcode',
  'lsoa_code',
  'imd_decile',
  'la_code',
  'practice_code',
  'school_urn',
  'year_group',
  'date_of_death',
  'registration_status',
  'care_home_code',
] as const;
export const CONTACT_COLUMNS = [
  'person_id',
  'address_line1',
  'address_line2',
  'address_line3',
  'town',
  'email',
  'mobile',
  'landline',
  'preferred_channel',
  'opt_out_letter',
  'opt_out_email',
  'opt_out_sms',
] as const;
export const FLAG_COLUMNS = ['person_id', 'flag_code', 'from_date', 'to_date', 'source', 'detail'] as const;
export const STAFF_COLUMNS = [
  'person_id',
  'employer_code',
  'department',
  'staff_group',
  'job_role',
  'frontline',
  'from_date',
  'to_date',
] as const;

export interface DemoChunk {
  person: Buffer;
  contact: Buffer;
  flag: Buffer;
  staff: Buffer;
  persons: number;
  flags: number;
  staffRecords: number;
}

/** Letters used in the inward part of real postcodes (never C, I, K, M, O or V). */
export const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export function syntheticInwardCode(rng: Rng, sectorDigit: string): string {
  return sectorDigit + INWARD_LETTERS[rng.int(20)] + INWARD_LETTERS[rng.int(20)];
}

// England and Wales 2021 census, percent of people by five-year band (90+ split to reach 100).
const AGE_BANDS: readonly [from: number, to: number, percent: number][] = [
  [0, 4, 5.4],
  [5, 9, 5.9],
  [10, 14, 6.0],
  [15, 19, 5.6],
  [20, 24, 6.0],
  [25, 29, 6.6],
  [30, 34, 6.9],
  [35, 39, 6.6],
  [40, 44, 6.2],
  [45, 49, 6.3],
  [50, 54, 6.9],
  [55, 59, 6.7],
  [60, 64, 5.9],
  [65, 69, 5.0],
  [70, 74, 5.0],
  [75, 79, 3.7],
  [80, 84, 2.5],
  [85, 89, 1.5],
  [90, 94, 0.6],
  [95, 100, 0.2],
];

// NHS Data Dictionary ethnic categories, close to England's 2021 census mix, with a few not stated.
const ETHNICITY: readonly [string, number][] = [
  ['A', 72.0],
  ['B', 0.9],
  ['C', 6.2],
  ['D', 0.9],
  ['E', 0.4],
  ['F', 0.8],
  ['G', 0.7],
  ['H', 3.1],
  ['J', 2.5],
  ['K', 1.0],
  ['L', 1.5],
  ['M', 1.0],
  ['N', 2.4],
  ['P', 0.5],
  ['R', 0.8],
  ['S', 2.0],
  ['Z', 2.0],
  ['99', 1.3],
];

/** A value by age band: each band is [under this age, value]; the last holds for every older age. */
type AgeBands = readonly (readonly [underAge: number, value: number])[];
const byAge = (bands: AgeBands, age: number): number => (bands.find(([under]) => age < under) ?? bands[bands.length - 1]!)[1];

/** Share of people who are female by age: more women survive to old age. */
const FEMALE_SHARE: AgeBands = [
  [60, 0.5],
  [75, 0.52],
  [85, 0.56],
  [95, 0.63],
  [Infinity, 0.75],
];

/** Deaths recorded over the last two years, by age: most people on the register are alive. */
const DEATH_CHANCE: AgeBands = [
  [1, 0.001],
  [65, 0.0006],
  [75, 0.004],
  [85, 0.015],
  [Infinity, 0.05],
];

type Bytes = Uint8Array;

interface Sector {
  district: string;
  digit: string;
  town: Bytes;
  lsoas: { code: Bytes; decile: Bytes; decileNumber: number }[];
}

interface CareHome {
  code: Bytes;
  name: Bytes;
  postcode: Bytes;
  lsoa: Bytes;
  decile: Bytes;
  decileNumber: number;
  town: Bytes;
}

interface LaPlan {
  code: Bytes;
  sectors: Sector[];
  practices: Bytes[];
  primary: Bytes[];
  secondary: Bytes[];
  special: Bytes[];
  careHomes: CareHome[];
}

interface Employer {
  code: Bytes;
  departments: Bytes[];
  groups: WeightedPicker<{ code: Bytes; frontline: number; roles: Bytes[] }>;
}

interface NamePool {
  picker: WeightedIndex;
  field: Bytes[];
  email: Bytes[];
}

function namePool(names: string[], exponent: number): NamePool {
  return {
    picker: new WeightedIndex(rankWeights(names.length, exponent)),
    field: names.map(field),
    // E-mail local parts: plain lower-case letters only.
    email: names.map((n) =>
      field(
        n
          .normalize('NFD')
          .replace(/[^A-Za-z]/g, '')
          .toLowerCase(),
      ),
    ),
  };
}

const HOME_EDUCATED = field('999999');
const SCHOOL_UNKNOWN = field('888888');
const STATUS = { REGISTERED: field('REGISTERED'), DECEASED: field('DECEASED'), DEREGISTERED: field('DEREGISTERED') };
const CHANNEL = { LETTER: field('LETTER'), EMAIL: field('EMAIL'), SMS: field('SMS') };
const SOURCE = field('DEMO');
const FLAG = Object.fromEntries(
  [
    'CHRONIC_RESPIRATORY',
    'DIABETES',
    'CHRONIC_HEART',
    'CHRONIC_KIDNEY',
    'IMMUNOSUPPRESSION',
    'CHRONIC_LIVER',
    'CHRONIC_NEUROLOGICAL',
    'MORBID_OBESITY',
    'LEARNING_DISABILITY',
    'ASPLENIA',
    'FRAILTY',
    'IMMUNOSUPPRESSED_CONTACT',
    'CARER',
    'CARE_HOME_RESIDENT',
    'PREGNANT',
  ].map((code) => [code, field(code)]),
) as Record<string, Bytes>;
const GENDER = ['0', '1', '2', '9'].map(field);
const DECILE = Array.from({ length: 11 }, (_, i) => field(String(i)));
const YEAR_GROUP = Array.from({ length: 14 }, (_, i) => field(String(i)));

export interface GeneratorOptions {
  seed: number;
  /** Id of the first person; ids then count up by one. */
  firstId: number;
  /** Where synthetic NHS numbers come from; by default the 999 range from its start. */
  nhsNumbers?: { next(): string };
  asOf?: string;
  /** Collects what the vaccination histories phase needs about each person. */
  histories?: HistoryPeople;
}

export class DemoGenerator {
  private readonly rng: Rng;
  private readonly nhs: { next(): string };
  private nextId: number;
  private readonly asOf: number;
  private readonly dayCache: (Bytes | undefined)[] = [];
  private readonly bands = new WeightedIndex(AGE_BANDS.map((b) => b[2]));
  private readonly ethnicity = new WeightedPicker(
    ETHNICITY.map((e) => field(e[0])),
    ETHNICITY.map((e) => e[1]),
  );
  private readonly las: WeightedPicker<LaPlan>;
  private readonly female: NamePool;
  private readonly male: NamePool;
  private readonly family: NamePool;
  private readonly streets: Bytes[];
  private readonly emailDomains: Bytes[];
  private readonly employers: WeightedPicker<Employer>;
  private readonly person = new CopyWriter();
  private readonly contact = new CopyWriter();
  private readonly flag = new CopyWriter();
  private readonly staff = new CopyWriter();
  private readonly log: HistoryPeople | null;

  constructor(region: DemoRegion, names: DemoNames, opts: GeneratorOptions) {
    this.rng = createRng(opts.seed);
    this.nhs = opts.nhsNumbers ?? new NhsNumberSequence();
    this.nextId = opts.firstId;
    this.asOf = requireDay(opts.asOf ?? DEMO_AS_OF);
    this.log = opts.histories ?? null;
    this.female = namePool(names.female, 0.8);
    this.male = namePool(names.male, 0.8);
    this.family = namePool(names.family, 0.7);
    this.streets = region.streets.map(field);
    this.emailDomains = names.emailDomains.map((d) => field(`@${d}`));

    const townOf = new Map(region.postcodeSectors.map((s) => [s.sector, s.town]));
    const decileOf = new Map(region.lsoas.map((l) => [l.code, l.imdDecile]));
    const plans = region.localAuthorities.map((la): LaPlan => {
      const sectors = region.postcodeSectors
        .filter((s) => s.laCode === la.code)
        .map((s) => ({
          district: s.district,
          digit: s.sector.slice(s.sector.indexOf(' ') + 1),
          town: field(s.town),
          lsoas: region.lsoas
            .filter((l) => l.sector === s.sector)
            .map((l) => ({ code: field(l.code), decile: DECILE[l.imdDecile]!, decileNumber: l.imdDecile })),
        }))
        .filter((s) => s.lsoas.length > 0);
      const schools = region.schools.filter((s) => s.laCode === la.code);
      const urns = (phases: string[]): Bytes[] => schools.filter((s) => phases.includes(s.phase)).map((s) => field(s.urn));
      const plan: LaPlan = {
        code: field(la.code),
        sectors,
        practices: region.practices.filter((p) => p.laCode === la.code).map((p) => field(p.code)),
        primary: urns(['PRIMARY', 'ALL_THROUGH']),
        secondary: urns(['SECONDARY', 'ALL_THROUGH']),
        special: urns(['SPECIAL']),
        careHomes: region.careHomes
          .filter((c) => c.laCode === la.code)
          .map((c) => ({
            code: field(c.code),
            name: field(c.name),
            postcode: field(c.postcode),
            lsoa: field(c.lsoaCode),
            decile: DECILE[decileOf.get(c.lsoaCode) ?? 0]!,
            decileNumber: decileOf.get(c.lsoaCode) ?? 0,
            town: field(townOf.get(c.postcode.slice(0, c.postcode.indexOf(' ') + 2)) ?? la.name),
          })),
      };
      if (!sectors.length || !plan.practices.length || !plan.primary.length || !plan.secondary.length) {
        throw new Error(`The demo region's ${la.name} needs sectors with LSOAs, practices and schools.`);
      }
      return plan;
    });
    this.las = new WeightedPicker(
      plans,
      region.localAuthorities.map((la) => la.population),
    );

    const employerList: Employer[] = [];
    const employerWeights: number[] = [];
    const employerOf = (code: string, kind: string): Employer => {
      const k = region.employerKinds[kind];
      if (!k) throw new Error(`Unknown employer kind ${kind}.`);
      const groups = Object.entries(k.staffGroups) as [StaffGroup, number][];
      return {
        code: field(code),
        departments: k.departments.map(field),
        groups: new WeightedPicker(
          groups.map(([g]) => ({
            code: field(g),
            frontline: region.staffGroups[g].frontline,
            roles: region.staffGroups[g].roles.map(field),
          })),
          groups.map((g) => g[1]),
        ),
      };
    };
    for (const e of region.employers) {
      employerList.push(employerOf(e.code, e.kind));
      employerWeights.push(e.weight);
    }
    // Care homes together employ about a seventh of the staff in the demo.
    for (const c of region.careHomes) {
      employerList.push(employerOf(c.code, 'CARE_HOME'));
      employerWeights.push(14 / region.careHomes.length);
    }
    this.employers = new WeightedPicker(employerList, employerWeights);
  }

  private day(days: number): Bytes {
    const i = this.asOf - days + 400; // dates run from about 101 years back to a year ahead
    let b = this.dayCache[i];
    if (b === undefined) {
      b = field(formatDay(days));
      if (i >= 0) this.dayCache[i] = b;
    }
    return b;
  }

  /** Generates the next `count` people and everything that hangs off them. */
  chunk(count: number): DemoChunk {
    const { person, contact, flag, staff, rng, asOf, log } = this;
    let flags = 0;
    let staffRecords = 0;

    for (let n = 0; n < count; n++) {
      const id = this.nextId++;

      const band = AGE_BANDS[this.bands.draw(rng)]!;
      const years = band[0] + rng.int(band[1] - band[0] + 1);
      const dob = asOf - Math.floor((years + rng.next()) * 365.2425);
      const age = wholeYears(dob, asOf);
      const isFemale = rng.chance(byAge(FEMALE_SHARE, age));
      const genderRoll = rng.next();
      const gender = genderRoll < 0.001 ? 3 : genderRoll < 0.0015 ? 0 : isFemale ? 2 : 1;
      const given = isFemale ? this.female : this.male;
      const givenIdx = given.picker.draw(rng);
      const middleIdx = rng.chance(0.3) ? given.picker.draw(rng) : -1;
      const familyIdx = this.family.picker.draw(rng);
      const ethnic = this.ethnicity.draw(rng);

      const la = this.las.draw(rng);
      const sector = rng.pick(la.sectors);
      const lsoa = rng.pick(sector.lsoas);
      const inward1 = INWARD_LETTERS.charCodeAt(rng.int(20));
      const inward2 = INWARD_LETTERS.charCodeAt(rng.int(20));
      const houseNumber = 1 + rng.int(180);
      const street = rng.pick(this.streets);

      // Care-home residents live at the home: its postcode, LSOA and address.
      let careHome: CareHome | null = null;
      const careChance = age >= 85 ? 0.03 : age >= 75 ? 0.008 : age >= 65 ? 0.002 : 0;
      if (careChance > 0 && la.careHomes.length && rng.chance(careChance)) careHome = rng.pick(la.careHomes);

      let status = STATUS.REGISTERED;
      let death = -1;
      if (rng.chance(byAge(DEATH_CHANCE, age))) {
        status = STATUS.DECEASED;
        death = Math.max(dob, asOf - 1 - rng.int(730));
      } else if (rng.chance(0.004)) {
        status = STATUS.DEREGISTERED;
      }
      const practice = status === STATUS.DEREGISTERED ? null : rng.pick(la.practices);

      let school: Bytes | null = null;
      let yearGroup = -1;
      const yg = schoolYearGroup(dob, asOf);
      if (status !== STATUS.DECEASED && yg >= 0 && yg <= 13 && (yg <= 11 || rng.chance(0.45))) {
        yearGroup = yg;
        const r = rng.next();
        if (r < 0.01) school = HOME_EDUCATED;
        else if (r < 0.015) school = SCHOOL_UNKNOWN;
        else if (r < 0.03 && la.special.length) school = rng.pick(la.special);
        else school = rng.pick(yg <= 6 ? la.primary : la.secondary);
      }

      person.uint(id).ascii(this.nhs.next()).bytes(given.field[givenIdx]!);
      person.bytes(this.family.field[familyIdx]!);
      if (middleIdx >= 0) person.bytes(given.field[middleIdx]!);
      else person.null();
      person.bytes(this.day(dob)).bytes(GENDER[gender]!).bytes(ethnic);
      if (careHome) person.bytes(careHome.postcode).bytes(careHome.lsoa).bytes(careHome.decile);
      else {
        person.begin().append(sector.district).append(' ').append(sector.digit);
        person.append(String.fromCharCode(inward1, inward2));
        person.bytes(lsoa.code).bytes(lsoa.decile);
      }
      person.bytes(la.code);
      if (practice) person.bytes(practice);
      else person.null();
      if (school) person.bytes(school).bytes(YEAR_GROUP[yearGroup]!);
      else person.null().null();
      if (death >= 0) person.bytes(this.day(death));
      else person.null();
      person.bytes(status);
      if (careHome) person.bytes(careHome.code);
      else person.null();
      person.endRow();
      log?.person(
        id,
        dob,
        death,
        gender === 2,
        careHome ? careHome.decileNumber : lsoa.decileNumber,
        practice,
        school,
        careHome ? careHome.code : null,
      );

      // Contact details: everyone has an address; most have a mobile, many an email.
      const hasEmail = rng.chance(0.6);
      const hasMobile = rng.chance(0.75);
      const hasLandline = rng.chance(0.3);
      const optLetter = rng.chance(0.005);
      const optEmail = hasEmail && rng.chance(0.03);
      const optSms = hasMobile && rng.chance(0.02);
      let channel = CHANNEL.LETTER;
      const c = rng.next();
      if (hasMobile && !optSms && c < 0.45) channel = CHANNEL.SMS;
      else if (hasEmail && !optEmail && c < 0.75) channel = CHANNEL.EMAIL;
      contact.uint(id);
      if (careHome) contact.bytes(careHome.name).begin().append(String(houseNumber)).append(' ').append(street);
      else contact.begin().append(String(houseNumber)).append(' ').append(street).null();
      contact.null().bytes(careHome ? careHome.town : sector.town);
      if (hasEmail) {
        contact.begin().append(given.email[givenIdx]!).append('.').append(this.family.email[familyIdx]!);
        contact.append(String(rng.int(100))).append(rng.pick(this.emailDomains));
      } else contact.null();
      // Ofcom keeps 07700 900000-900999 and 01632 960000-960999 for fiction: never a real line.
      for (const [has, prefix] of [
        [hasMobile, '07700 900'],
        [hasLandline, '01632 960'],
      ] as const) {
        if (has)
          contact
            .begin()
            .append(prefix)
            .append(String(rng.int(1000)).padStart(3, '0'));
        else contact.null();
      }
      contact.bytes(channel).bool(optLetter).bool(optEmail).bool(optSms).endRow();

      if (status === STATUS.DECEASED) continue;
      // Clinical flags at roughly the prevalence seen in general practice, rising with age.
      const addFlag = (code: string, maxYears: number, detail: Bytes | null = null): void => {
        const from = asOf - rng.int(Math.max(1, Math.min(age, maxYears) * 365));
        flag.uint(id).bytes(FLAG[code]!).bytes(this.day(from)).null().bytes(SOURCE);
        if (detail) flag.bytes(detail);
        else flag.null();
        flag.endRow();
        flags++;
        log?.flag(code);
      };
      const adult = age >= 18;
      const older = age >= 65;
      if (adult ? rng.chance(older ? 0.12 : 0.07) : age >= 1 && rng.chance(0.03)) addFlag('CHRONIC_RESPIRATORY', 20);
      if (adult && rng.chance(age < 40 ? 0.02 : older ? 0.14 : 0.07)) addFlag('DIABETES', 20);
      if (adult && rng.chance(age < 50 ? 0.01 : older ? 0.12 : 0.04)) addFlag('CHRONIC_HEART', 20);
      if (adult && rng.chance(older ? 0.08 : 0.01)) addFlag('CHRONIC_KIDNEY', 15);
      if (rng.chance(adult ? 0.02 : 0.004)) addFlag('IMMUNOSUPPRESSION', 10);
      if (adult && rng.chance(0.01)) addFlag('CHRONIC_LIVER', 15);
      if (rng.chance(adult ? 0.02 : 0.006)) addFlag('CHRONIC_NEUROLOGICAL', 20);
      if (adult && rng.chance(0.025)) addFlag('MORBID_OBESITY', 10);
      if (rng.chance(0.005)) addFlag('LEARNING_DISABILITY', 30);
      if (rng.chance(0.0008)) addFlag('ASPLENIA', 30);
      if (age >= 80 && rng.chance(0.1)) addFlag('FRAILTY', 5);
      if (adult && rng.chance(0.01)) addFlag('IMMUNOSUPPRESSED_CONTACT', 5);
      if (adult && age < 85 && rng.chance(0.05)) addFlag('CARER', 10);
      if (careHome) addFlag('CARE_HOME_RESIDENT', 4, careHome.code);
      if (isFemale && age >= 16 && age <= 45 && rng.chance(0.012)) {
        // Conception up to 36 weeks ago; the flag ends at the expected date of delivery.
        const conceived = asOf - rng.int(252);
        flag
          .uint(id)
          .bytes(FLAG.PREGNANT!)
          .bytes(this.day(conceived))
          .bytes(this.day(conceived + 266))
          .bytes(SOURCE)
          .null();
        flag.endRow();
        flags++;
        log?.pregnancy(conceived);
      }

      // Health and social care staff: about 3% of working-age adults.
      if (age >= 18 && age <= 67 && rng.chance(0.03)) {
        const employer = this.employers.draw(rng);
        const group = employer.groups.draw(rng);
        const from = asOf - rng.int(Math.max(1, (age - 17) * 365));
        staff.uint(id).bytes(employer.code).bytes(rng.pick(employer.departments)).bytes(group.code);
        // Drawn in the same order as always, so a seed keeps meaning the same people.
        const role = rng.pick(group.roles);
        const frontline = rng.chance(group.frontline);
        staff.bytes(role).bool(frontline).bytes(this.day(from));
        // A few have left: their record ends between their start and yesterday.
        const leaves = rng.chance(0.05);
        const stayed = rng.int(3000);
        const to = leaves && from < asOf - 1 ? Math.min(asOf - 1, from + stayed) : null;
        if (to !== null) staff.bytes(this.day(to));
        else staff.null();
        staff.endRow();
        staffRecords++;
        log?.staff(employer.code, frontline, from, to);
      }
    }
    return {
      person: person.take(),
      contact: contact.take(),
      flag: flag.take(),
      staff: staff.take(),
      persons: count,
      flags,
      staffRecords,
    };
  }
}

// SQL for the person register, run as the signed-in user's role: row-level security decides
// which rows exist for them, so no query here filters by organisation itself.
import type { PersonRecord, PersonSummary } from '../contract/people';
import { query, queryOne, type Queryable } from '../platform/db/database';
import { userDisplayName } from '../administration';
import type { SearchQuery } from './search.rules';

/** Contact details as stored; the record shows them as address lines and opt-outs. */
interface ContactRow {
  address_line1: string | null;
  address_line2: string | null;
  address_line3: string | null;
  town: string | null;
  email: string | null;
  mobile: string | null;
  landline: string | null;
  preferred_channel: 'LETTER' | 'EMAIL' | 'SMS';
  opt_out_letter: boolean;
  opt_out_email: boolean;
  opt_out_sms: boolean;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const SUMMARY_COLUMNS = `
  p.id, p.nhs_number AS "nhsNumber", p.given_name AS "givenName", p.family_name AS "familyName",
  p.date_of_birth AS "dateOfBirth", p.gender_code AS "genderCode", p.postcode,
  p.practice_code AS "practiceCode", o.name AS "practiceName", p.date_of_death AS "dateOfDeath"`;

type Statement = { sql: string; params: unknown[] };

/** Parameters and conditions of one statement; each value becomes $n in order. */
class Conditions {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

// Only leakproof comparisons touch indexed columns here, so the indexes stay usable under
// row-level security; the name keys are byte-ordered (collation "C"); see 0007 and 0013.
// Every key that starts with a prefix sorts between the prefix and the prefix followed by the
// highest code point.
const surnamePrefix = (c: Conditions, surname: string): string => {
  const n = c.param(surname);
  return `(p.family_name_key >= lower(${n}) AND p.family_name_key < lower(${n}) || chr(1114111))`;
};

const givenPrefix = (c: Conditions, given: string): string => `p.given_name_key LIKE lower(${c.param(escapeLike(given))}) || '%'`;

function postcodeCondition(c: Conditions, postcode: Extract<SearchQuery, { kind: 'postcode' }>['postcode']): string {
  if (postcode.level === 'full') return `p.postcode = ${c.param(postcode.value)}`;
  if (postcode.level === 'sector') return `p.postcode_sector = ${c.param(postcode.value)}`;
  return `p.postcode_district = ${c.param(postcode.value)}`;
}

function matchConditions(q: SearchQuery, c: Conditions): void {
  switch (q.kind) {
    case 'nhs-number':
      c.where.push(`p.nhs_number = ${c.param(q.nhsNumber)}`);
      break;
    case 'surname-dob':
      // The surname may be its first letters: "smi 26/02/21" finds Smith born that day.
      c.where.push(surnamePrefix(c, q.surname), `p.date_of_birth = ${c.param(q.dateOfBirth)}::date`);
      if (q.givenName) c.where.push(givenPrefix(c, q.givenName));
      break;
    case 'name-postcode': {
      c.where.push(postcodeCondition(c, q.postcode));
      const n = c.param(escapeLike(q.name));
      c.where.push(`(p.family_name_key LIKE lower(${n}) || '%' OR p.given_name_key LIKE lower(${n}) || '%')`);
      break;
    }
    case 'postcode':
      c.where.push(postcodeCondition(c, q.postcode));
      break;
    case 'name':
      c.where.push(surnamePrefix(c, q.surname));
      if (q.givenName) c.where.push(givenPrefix(c, q.givenName));
      break;
  }
}

const ORDER = 'p.family_name_key, p.given_name_key, p.date_of_birth, p.id';

/** One page of the search's matches; exported so its plans can be checked under row security. */
export function searchStatement(q: SearchQuery, page: { limit: number; offset: number }): Statement {
  const c = new Conditions();
  matchConditions(q, c);
  // One row more than the page, so the caller can tell whether another page follows.
  const limit = c.param(page.limit + 1);
  const offset = c.param(page.offset);
  const sql = `
    SELECT ${SUMMARY_COLUMNS}
    FROM ims.person p
    LEFT JOIN ims.organisation o ON o.code = p.practice_code
    WHERE ${c.where.join(' AND ')}
    ORDER BY ${ORDER}
    LIMIT ${limit} OFFSET ${offset}`;
  return { sql, params: c.params };
}

/** How many match, counted no further than `cap`: a common surname is "more than cap". */
export function countStatement(q: SearchQuery, cap: number): Statement {
  const c = new Conditions();
  matchConditions(q, c);
  const sql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM ims.person p WHERE ${c.where.join(' AND ')} LIMIT ${c.param(cap + 1)}) m`;
  return { sql, params: c.params };
}

/**
 * People whose surname sounds like the one typed (the same sound key, 0013) but is not spelled
 * with it: Smith for "Smyth". Null for searches without a surname, or with too few letters of
 * one to have a sound.
 */
export function nearMatchStatement(q: SearchQuery, limit: number): Statement | null {
  if ((q.kind !== 'surname-dob' && q.kind !== 'name') || q.surname.length < 3) return null;
  const c = new Conditions();
  const sound = `p.family_name_sound = ims.name_sound_key(${c.param(q.surname)})`;
  const typed = c.param(q.surname);
  const rest: string[] = [];
  if (q.kind === 'surname-dob') rest.push(`p.date_of_birth = ${c.param(q.dateOfBirth)}::date`);
  if (q.givenName) rest.push(givenPrefix(c, q.givenName));
  const n = c.param(limit + 1);
  // Sound-alikes spelled before the typed surname, then after it: two ranges of the index, each
  // read in order, never the (often thousands of) people spelled as typed in between.
  const side = (range: string): string => `(
      SELECT ${SUMMARY_COLUMNS}, p.family_name_key, p.given_name_key
      FROM ims.person p
      LEFT JOIN ims.organisation o ON o.code = p.practice_code
      WHERE ${[sound, range, ...rest].join(' AND ')}
      ORDER BY ${ORDER}
      LIMIT ${n})`;
  const sql = `
    SELECT "id", "nhsNumber", "givenName", "familyName", "dateOfBirth", "genderCode", postcode, "practiceCode", "practiceName", "dateOfDeath"
    FROM (${side(`p.family_name_key < lower(${typed})`)}
      UNION ALL ${side(`p.family_name_key >= lower(${typed}) || chr(1114111)`)}) m
    ORDER BY family_name_key, given_name_key, "dateOfBirth", id
    LIMIT ${n}`;
  return { sql, params: c.params };
}

export class PersonRepository {
  constructor(private readonly db: Queryable) {}

  /** Returns up to `limit + 1` rows so the caller can tell the list was cut short. */
  async search(q: SearchQuery, page: { limit: number; offset: number }): Promise<PersonSummary[]> {
    const { sql, params } = searchStatement(q, page);
    return query<PersonSummary>(this.db, sql, params);
  }

  async countMatches(q: SearchQuery, cap: number): Promise<number> {
    const { sql, params } = countStatement(q, cap);
    return (await queryOne<{ n: number }>(this.db, sql, params))?.n ?? 0;
  }

  /** Up to `limit + 1` sound-alike matches; empty when the search has no surname to sound. */
  async nearMatches(q: SearchQuery, limit: number): Promise<PersonSummary[]> {
    const statement = nearMatchStatement(q, limit);
    return statement ? query<PersonSummary>(this.db, statement.sql, statement.params) : [];
  }

  /** Writes the audit row for opening the record; false when the person is not visible. */
  async recordOpening(personId: number, purpose = 'view'): Promise<boolean> {
    const row = await queryOne<{ opened: boolean }>(this.db, `SELECT ims.open_person_record($1, $2) AS opened`, [personId, purpose]);
    return row?.opened === true;
  }

  /** The record as stored; ageYears is left for the service, which knows England's today. */
  async record(personId: number): Promise<(Omit<PersonRecord, 'person'> & { person: Omit<PersonRecord['person'], 'ageYears'> }) | null> {
    const [person, c, flags, staff, views] = await Promise.all([
      queryOne<PersonRecord['person']>(
        this.db,
        `SELECT ${SUMMARY_COLUMNS},
           p.other_given_names AS "otherGivenNames", p.ethnic_category AS "ethnicCategory",
           ec.label AS "ethnicCategoryLabel", p.lsoa_code AS "lsoaCode", p.imd_decile AS "imdDecile",
           la.name AS "localAuthority", p.school_urn AS "schoolUrn", s.name AS "schoolName",
           p.year_group AS "yearGroup", p.registration_status AS "registrationStatus"
         FROM ims.person p
         LEFT JOIN ims.organisation o ON o.code = p.practice_code
         LEFT JOIN ims.ethnic_category ec ON ec.code = p.ethnic_category
         LEFT JOIN ims.local_authority la ON la.code = p.la_code
         LEFT JOIN ims.school s ON s.urn = p.school_urn
         WHERE p.id = $1`,
        [personId],
      ),
      queryOne<ContactRow>(
        this.db,
        `SELECT address_line1, address_line2, address_line3, town, email, mobile, landline,
                preferred_channel, opt_out_letter, opt_out_email, opt_out_sms
         FROM ims.contact_details WHERE person_id = $1`,
        [personId],
      ),
      query<PersonRecord['flags'][number]>(
        this.db,
        `SELECT f.id, f.flag_code AS code, t.label, t.category, f.from_date AS "fromDate", f.to_date AS "toDate", f.source
         FROM ims.clinical_flag f JOIN ims.flag_type t ON t.code = f.flag_code
         WHERE f.person_id = $1 ORDER BY f.from_date DESC, f.id`,
        [personId],
      ),
      query<PersonRecord['staff'][number]>(
        this.db,
        `SELECT s.id, s.employer_code AS "employerCode", o.name AS "employerName", s.department,
                s.staff_group AS "staffGroup", s.job_role AS "jobRole", s.frontline,
                s.from_date AS "fromDate", s.to_date AS "toDate"
         FROM ims.staff_record s JOIN ims.organisation o ON o.code = s.employer_code
         WHERE s.person_id = $1 ORDER BY s.from_date DESC, s.id`,
        [personId],
      ),
      query<PersonRecord['recentViews'][number]>(
        this.db,
        `SELECT to_char(v.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "viewedAt",
                ${userDisplayName('v.actor')} AS "viewedBy"
         FROM audit.record_view v
         WHERE v.person_id = $1 ORDER BY v.at DESC, v.id DESC LIMIT 20`,
        [personId],
      ),
    ]);
    if (!person) return null;
    return {
      person,
      contact: c
        ? {
            addressLines: [c.address_line1, c.address_line2, c.address_line3, c.town].filter((l): l is string => !!l),
            email: c.email,
            mobile: c.mobile,
            landline: c.landline,
            preferredChannel: c.preferred_channel,
            optOut: { letter: c.opt_out_letter, email: c.opt_out_email, sms: c.opt_out_sms },
          }
        : null,
      flags,
      staff,
      recentViews: views,
    };
  }
}

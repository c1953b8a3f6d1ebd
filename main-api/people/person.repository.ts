// SQL for the person register, run as the signed-in user's role: row-level security decides
// which rows exist for them, so no query here filters by organisation itself.
import type { PersonRecord, PersonSummary } from '../contract/people';
import { query, queryOne, type Queryable } from '../platform/db/database';
import type { SearchQuery } from './search.rules';

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

  /**
   * The record, read through the audited api.person_record (0022), which writes the record-view
   * row; null when the person is absent or outside the user's scope. ageYears is left for the
   * service, which knows England's today.
   */
  async record(
    personId: number,
    purpose: 'view' | 'print',
  ): Promise<(Omit<PersonRecord, 'person'> & { person: Omit<PersonRecord['person'], 'ageYears'> }) | null> {
    const row = await queryOne<{
      r: (Omit<PersonRecord, 'person' | 'recentViews'> & { person: Omit<PersonRecord['person'], 'ageYears'> }) | null;
    }>(this.db, `SELECT api.person_record($1, $2) AS r`, [personId, purpose]);
    if (!row?.r) return null;
    // Read after the opening is committed, so the list includes it. Openings and prints only:
    // the audit also keeps every other read (a history, a forecast, a status refresh).
    const recentViews = await query<PersonRecord['recentViews'][number]>(
      this.db,
      `SELECT to_char(v.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "viewedAt",
              coalesce(u.display_name, v.actor) AS "viewedBy"
       FROM audit.record_view v LEFT JOIN ims.user_directory u ON u.role_name = v.actor
       WHERE v.person_id = $1 AND v.purpose IN ('view', 'print') ORDER BY v.at DESC, v.id DESC LIMIT 20`,
      [personId],
    );
    return { ...row.r, recentViews };
  }
}

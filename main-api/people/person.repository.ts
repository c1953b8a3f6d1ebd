// SQL for the person register, run as the signed-in user's role through the api functions
// (0022, 0023), which apply the user's scope; no query here filters by organisation itself.
import type { PersonRecord, PersonSummary } from '../contract/people';
import { query, queryOne, type Queryable } from '../platform/db/database';
import { userDisplayName } from '../administration';
import type { SearchQuery } from './search.rules';

const SUMMARY_COLUMNS = `
  p.id, p.nhs_number AS "nhsNumber", p.given_name AS "givenName", p.family_name AS "familyName",
  p.date_of_birth AS "dateOfBirth", p.gender_code AS "genderCode", p.postcode,
  p.practice_code AS "practiceCode", p.practice_name AS "practiceName", p.date_of_death AS "dateOfDeath"`;

export class PersonRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Returns up to `limit + 1` rows so the caller can tell the list was cut short. The search
   * runs in api.person_search (0023) with the user's scope; the query goes as its parsed form,
   * and the database builds the statement from fixed pieces for its kind.
   */
  async search(q: SearchQuery, page: { limit: number; offset: number }): Promise<PersonSummary[]> {
    return query<PersonSummary>(this.db, `SELECT ${SUMMARY_COLUMNS} FROM api.person_search($1::jsonb, $2, $3) p`, [
      JSON.stringify(q),
      page.limit + 1,
      page.offset,
    ]);
  }

  /** How many match, counted no further than `cap`: a common surname is "more than cap". */
  async countMatches(q: SearchQuery, cap: number): Promise<number> {
    return (
      (await queryOne<{ n: number }>(this.db, `SELECT api.person_search_count($1::jsonb, $2) AS n`, [JSON.stringify(q), cap + 1]))?.n ?? 0
    );
  }

  /**
   * Up to `limit + 1` people whose surname sounds like the one typed (the same sound key, 0013)
   * but is not spelled with it: Smith for "Smyth". Empty for searches without a surname, or
   * with too few letters of one to have a sound.
   */
  async nearMatches(q: SearchQuery, limit: number): Promise<PersonSummary[]> {
    return query<PersonSummary>(this.db, `SELECT ${SUMMARY_COLUMNS} FROM api.person_near_matches($1::jsonb, $2) p`, [
      JSON.stringify(q),
      limit + 1,
    ]);
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
    // Read after the opening is committed, so the list includes it; through the function, which
    // gives the openings and prints of a person in the caller's scope (0027).
    const recentViews = await query<PersonRecord['recentViews'][number]>(
      this.db,
      `SELECT to_char(v.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "viewedAt",
              ${userDisplayName('v.actor')} AS "viewedBy"
       FROM api.person_recent_views($1, 20) v`,
      [personId],
    );
    return { ...row.r, recentViews };
  }
}

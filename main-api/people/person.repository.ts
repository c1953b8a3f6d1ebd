// SQL for the person register, run as the signed-in user's role: row-level security decides
// which rows exist for them, so no query here filters by organisation itself.
import type { PersonRecord, PersonSummary } from '../contract/people';
import { query, queryOne, type Queryable } from '../platform/db/database';
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

/** The search statement for a query; exported so its plans can be checked under row security. */
export function searchStatement(q: SearchQuery, limit: number): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: number) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(params.length));
  };
  // Only leakproof comparisons touch indexed columns here, so the indexes stay usable under
  // row-level security; the name keys are byte-ordered (collation "C"); see 0007.
  const givenPrefix = (value: string): void => add((n) => `p.given_name_key LIKE lower($${n}) || '%'`, escapeLike(value));
  switch (q.kind) {
    case 'nhs-number':
      add((n) => `p.nhs_number = $${n}`, q.nhsNumber);
      break;
    case 'surname-dob':
      add((n) => `p.family_name_key = lower($${n})`, q.surname);
      add((n) => `p.date_of_birth = $${n}::date`, q.dateOfBirth);
      if (q.givenName) givenPrefix(q.givenName);
      break;
    case 'name-postcode': {
      if (q.postcode.level === 'full') add((n) => `p.postcode = $${n}`, q.postcode.value);
      else if (q.postcode.level === 'sector') add((n) => `p.postcode_sector = $${n}`, q.postcode.value);
      else add((n) => `p.postcode_district = $${n}`, q.postcode.value);
      add((n) => `(p.family_name_key LIKE lower($${n}) || '%' OR p.given_name_key LIKE lower($${n}) || '%')`, escapeLike(q.name));
      break;
    }
    case 'name':
      // Every key that starts with the prefix sorts between the prefix and the prefix
      // followed by the highest code point.
      add((n) => `p.family_name_key >= lower($${n}) AND p.family_name_key < lower($${n}) || chr(1114111)`, q.surname);
      if (q.givenName) givenPrefix(q.givenName);
      break;
  }
  params.push(limit + 1);
  const sql = `
    SELECT ${SUMMARY_COLUMNS}
    FROM ims.person p
    LEFT JOIN ims.organisation o ON o.code = p.practice_code
    WHERE ${where.join(' AND ')}
    ORDER BY p.family_name_key, p.given_name_key, p.date_of_birth, p.id
    LIMIT $${params.length}`;
  return { sql, params };
}

export class PersonRepository {
  constructor(private readonly db: Queryable) {}

  /** Returns up to `limit + 1` rows so the caller can tell the list was cut short. */
  async search(q: SearchQuery, limit: number): Promise<PersonSummary[]> {
    const { sql, params } = searchStatement(q, limit);
    return query<PersonSummary>(this.db, sql, params);
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
                coalesce(u.display_name, v.actor) AS "viewedBy"
         FROM audit.record_view v LEFT JOIN ims.user_directory u ON u.role_name = v.actor
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

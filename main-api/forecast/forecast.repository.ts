// Reads what the forecast engine needs about one person, as the signed-in user, through the api
// functions: api.person_basics (0023) answers only for a person in scope, and their flags, staff
// records and events come through the audited functions of 0022, each read recorded with its purpose.
import { queryOne, type Queryable } from '../platform/db/database';
import type { EventInput, NotGivenReason, PersonInput } from '../schedule';

/**
 * Antigens for a dose recorded without a product (typically a declined seasonal vaccine): the
 * programme says which vaccine was offered. Routine programmes cover many antigens, so a
 * declined routine dose without a product cannot be attributed to a series.
 */
export const PROGRAMME_KIND_ANTIGENS: Readonly<Record<string, readonly string[]>> = {
  SEASONAL_FLU: ['INFLUENZA'],
  COVID19: ['COVID19'],
};

export interface PersonForecastInput {
  personId: number;
  person: PersonInput;
  events: EventInput[];
  /** Short product name per event id, for display. */
  productNames: Map<number, string>;
}

interface PersonRow {
  id: number | string;
  dob: string;
  dod: string | null;
  gender: string;
  flags: { code: string; from: string; to: string | null }[];
  staff: { frontline: boolean; from: string; to: string | null }[];
  events: {
    id: number;
    date: string;
    outcome: 'GIVEN' | 'NOT_GIVEN';
    reason: NotGivenReason | null;
    productName: string | null;
    programmeKind: string;
    antigens: string[];
  }[];
}

// One round trip: the person with their flags, staff records and ACTIVE events (with each
// product's antigens and name) aggregated as JSON. Superseded and entered-in-error events
// are not part of the clinical picture.
const PERSON_INPUT_SQL = `
SELECT p.id, p.date_of_birth::text AS dob, p.date_of_death::text AS dod, p.gender_code AS gender,
  coalesce((SELECT json_agg(json_build_object('code', f.flag_code, 'from', f.from_date::text, 'to', f.to_date::text)
                            ORDER BY f.from_date, f.id)
            FROM api.person_flags(p.id, $2) f), '[]'::json) AS flags,
  coalesce((SELECT json_agg(json_build_object('frontline', s.frontline, 'from', s.from_date::text, 'to', s.to_date::text)
                            ORDER BY s.from_date, s.id)
            FROM api.person_staff_records(p.id, $2) s), '[]'::json) AS staff,
  coalesce((SELECT json_agg(json_build_object(
                     'id', e.id, 'date', e.occurred_on::text, 'outcome', e.outcome, 'reason', e.not_given_reason,
                     'productName', vp.short_name, 'programmeKind', pr.kind,
                     'antigens', ARRAY(SELECT pa.antigen_code FROM ims.product_antigen pa
                                       WHERE pa.product_code = e.product_code ORDER BY pa.antigen_code))
                   ORDER BY e.occurred_on, e.id)
            FROM api.person_vaccinations(p.id, $2) e
            JOIN ims.programme pr ON pr.code = e.programme_code
            LEFT JOIN ims.vaccine_product vp ON vp.code = e.product_code
            WHERE e.status = 'ACTIVE'), '[]'::json) AS events
FROM api.person_basics($1) p`;

/** Why the forecast input is read, as the audit records it. */
export type ForecastPurpose = 'forecast' | 'dose check' | 'schedule status refresh';

export async function loadPersonForecastInput(
  db: Queryable,
  personId: number,
  purpose: ForecastPurpose,
): Promise<PersonForecastInput | null> {
  const row = await queryOne<PersonRow>(db, PERSON_INPUT_SQL, [personId, purpose]);
  if (!row) return null;
  const productNames = new Map<number, string>();
  const events: EventInput[] = row.events.map((e) => {
    const id = Number(e.id);
    if (e.productName !== null) productNames.set(id, e.productName);
    const antigens = e.antigens.length > 0 ? e.antigens : [...(PROGRAMME_KIND_ANTIGENS[e.programmeKind] ?? [])];
    return { id, date: e.date, antigens, outcome: e.outcome, reason: e.reason };
  });
  return {
    personId: Number(row.id),
    person: { dateOfBirth: row.dob, dateOfDeath: row.dod, genderCode: row.gender, flags: row.flags, staff: row.staff },
    events,
    productNames,
  };
}

export interface ProductAntigens {
  code: string;
  name: string;
  antigens: string[];
}

export async function loadProductAntigens(db: Queryable, productCode: string): Promise<ProductAntigens | null> {
  return queryOne<ProductAntigens>(
    db,
    `SELECT p.code, p.short_name AS name,
            ARRAY(SELECT pa.antigen_code FROM ims.product_antigen pa WHERE pa.product_code = p.code ORDER BY pa.antigen_code) AS antigens
     FROM ims.vaccine_product p WHERE p.code = $1`,
    [productCode],
  );
}

export interface PersonHeading {
  id: number;
  nhsNumber: string;
  name: string;
  dateOfBirth: string;
}

/** The person with an NHS number, if the caller may see them. */
interface HeadingRow {
  id: number | string;
  nhs: string;
  name: string;
  dob: string;
}

/**
 * The person with an NHS number. The owner (or a superuser) reads the register itself; an
 * application user, administrators included, reads it only through the search function, which
 * checks that they are registered in this database (0023, 0027).
 */
export async function personByNhsNumber(db: Queryable, nhsNumber: string): Promise<PersonHeading | null> {
  const direct = await queryOne<{ ok: boolean }>(db, `SELECT has_column_privilege('ims.person', 'nhs_number', 'SELECT') AS ok`);
  const from = direct?.ok
    ? `ims.person WHERE nhs_number = $1`
    : `api.person_search(jsonb_build_object('kind', 'nhs-number', 'nhsNumber', $1::text), 1, 0)`;
  const row = await queryOne<HeadingRow>(
    db,
    `SELECT id, nhs_number AS nhs, given_name || ' ' || upper(family_name) AS name, date_of_birth::text AS dob FROM ${from}`,
    [nhsNumber],
  );
  return row ? { id: Number(row.id), nhsNumber: row.nhs, name: row.name, dateOfBirth: row.dob } : null;
}

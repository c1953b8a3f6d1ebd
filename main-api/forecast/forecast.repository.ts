// Reads what the forecast engine needs about persons, as the signed-in user, through one audited
// api function (0029): only persons in scope, each read recorded with its purpose.
import { query, queryOne, type Queryable } from '../platform/db/database';
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

/** Why the forecast input is read, as the audit records it. */
export type ForecastPurpose =
  'forecast' | 'dose check' | 'schedule status refresh' | 'rule file preview' | 'catch-up plan' | 'transfer summary' | 'worklist';

/**
 * What the engine needs about each of these persons that the caller may see, in one round trip
 * (api.person_forecast_inputs, 0029: the scope worked out once, the reads audited together).
 * Persons absent or outside scope are missing from the map alike.
 */
export async function loadPersonForecastInputs(
  db: Queryable,
  personIds: readonly number[],
  purpose: ForecastPurpose,
): Promise<Map<number, PersonForecastInput>> {
  const inputs = new Map<number, PersonForecastInput>();
  if (personIds.length === 0) return inputs;
  const rows = await query<PersonRow>(db, 'SELECT * FROM api.person_forecast_inputs($1::bigint[], $2)', [[...personIds], purpose]);
  for (const row of rows) inputs.set(Number(row.id), toInput(row));
  return inputs;
}

export async function loadPersonForecastInput(
  db: Queryable,
  personId: number,
  purpose: ForecastPurpose,
): Promise<PersonForecastInput | null> {
  return (await loadPersonForecastInputs(db, [personId], purpose)).get(personId) ?? null;
}

function toInput(row: PersonRow): PersonForecastInput {
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

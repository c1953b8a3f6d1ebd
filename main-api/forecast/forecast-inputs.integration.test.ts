// api.person_forecast_inputs (0029) as real login roles: one call reads the engine's input for a
// set of persons, returns only those in the caller's scope (absent and out-of-scope alike
// missing), and leaves one record-view row per person and purpose.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { PRODUCT } from '../shared/vocabulary/products';
import { uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, nhsSequence, twoPracticeDatabase, withClient, type UserConnections } from '../../tests/support/fixtures';
import { loadPersonForecastInputs } from './forecast.repository';

const nhs = nhsSequence(999_210_000, 13);

describe('forecast inputs for a set of persons', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let alpha: DataSource;
  let alphaUser: string;
  let alphaPassword: string;
  let inAlpha: number[];
  let inBeta: number;

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    inAlpha = [];
    for (const [i, dob] of ['2025-03-01', '1950-06-15'].entries()) {
      inAlpha.push(
        await addPerson(db, { nhsNumber: nhs(i), givenName: 'Ada', familyName: `Alpha${i}`, dateOfBirth: dob, practiceCode: 'G82001' }),
      );
    }
    inBeta = await addPerson(db, {
      nhsNumber: nhs(5),
      givenName: 'Ben',
      familyName: 'Beta',
      dateOfBirth: '2025-03-01',
      practiceCode: 'G82002',
    });
    // A dose, a flag and a staff record for the first Alpha person.
    await db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2025-05-01', $2, false)`,
      [inAlpha[0], PRODUCT.INFANRIX_HEXA],
    );
    await db.query(
      `INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES ($1, 'IMMUNOSUPPRESSION', '2025-04-01', 'GP record')`,
      [inAlpha[1]],
    );
    await db.query(
      `INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES ($1, 'G82001', 'NURSING', true, '2020-01-01')`,
      [inAlpha[1]],
    );
    const user = await addUser(db.url, { name: uniqueName('inputs'), role: 'coordinator', orgs: ['G82001'] });
    alphaUser = user.name;
    alphaPassword = user.password;
    alpha = await connections.open(user);
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  it('returns the persons in scope with their history, flags and staff records', async () => {
    const inputs = await loadPersonForecastInputs(alpha, [...inAlpha, inBeta, 987_654_321], 'forecast');
    expect([...inputs.keys()].sort((a, b) => a - b)).toEqual([...inAlpha].sort((a, b) => a - b));
    const child = inputs.get(inAlpha[0]!)!;
    expect(child.person.dateOfBirth).toBe('2025-03-01');
    expect(child.events).toHaveLength(1);
    expect(child.events[0]!.antigens).toContain('PERTUSSIS');
    const adult = inputs.get(inAlpha[1]!)!;
    expect(adult.person.flags).toEqual([{ code: 'IMMUNOSUPPRESSION', from: '2025-04-01', to: null }]);
    expect(adult.person.staff).toEqual([{ frontline: true, from: '2020-01-01', to: null }]);
  });

  it('records one view per person and purpose in a transaction, and none for anyone out of scope', async () => {
    const views = async () =>
      (
        await db.query<{ person_id: string; n: number }>(
          `SELECT person_id::text, count(*)::int AS n FROM audit.record_view WHERE actor = $1 AND purpose = 'dose check' GROUP BY 1`,
          [alphaUser],
        )
      ).rows;
    await withClient(db.urlAs(alphaUser, alphaPassword), async (c) => {
      await c.query('BEGIN');
      for (let i = 0; i < 2; i++)
        await c.query(`SELECT id FROM api.person_forecast_inputs($1::bigint[], 'dose check')`, [[...inAlpha, inBeta]]);
      await c.query('COMMIT');
    });
    const rows = await views();
    expect(rows.map((r) => Number(r.person_id)).sort((a, b) => a - b)).toEqual([...inAlpha].sort((a, b) => a - b));
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });

  it('gives an analyst no one, even with the function granted back', async () => {
    const analyst = await addUser(db.url, { name: uniqueName('inputs_an'), role: 'analyst', orgs: ['QKS'] });
    await withClient(db.urlAs(analyst.name, analyst.password), async (c) => {
      await expect(c.query(`SELECT id FROM api.person_forecast_inputs($1::bigint[], 'forecast')`, [inAlpha])).rejects.toThrow(
        /permission denied/,
      );
    });
    await db.query(`GRANT EXECUTE ON FUNCTION api.person_forecast_inputs(bigint[], text) TO ims_analyst`);
    try {
      const rows = await withClient(
        db.urlAs(analyst.name, analyst.password),
        async (c) => (await c.query(`SELECT id FROM api.person_forecast_inputs($1::bigint[], 'forecast')`, [inAlpha])).rows,
      );
      expect(rows).toEqual([]);
    } finally {
      await db.query(`REVOKE EXECUTE ON FUNCTION api.person_forecast_inputs(bigint[], text) FROM ims_analyst`);
    }
  });

  it('refuses an empty purpose and an oversized set', async () => {
    await expect(loadPersonForecastInputs(alpha, inAlpha, ' ' as 'forecast')).rejects.toThrow(/purpose/);
    await expect(
      withClient(db.urlAs(alphaUser, alphaPassword), (c) =>
        c.query(`SELECT * FROM api.person_forecast_inputs(array(SELECT generate_series(1, 10001)::bigint), 'forecast')`),
      ),
    ).rejects.toThrow(/10000/);
  });
});

// Row-level security and privileges, proved with plain SQL as real login roles.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { dropRoles } from '../support/fixtures';

/** The n-th valid NHS number in the synthetic 999 range. */
function nhs(n: number): string {
  let found = 0;
  for (let i = 0; ; i++) {
    const first9 = `999${String(i).padStart(6, '0')}`;
    const check = nhsCheckDigit(first9);
    if (check === null) continue;
    if (found++ === n) return `${first9}${check}`;
  }
}

// Region Y59 > ICB QKS > PCNs U00001 (G82001, G82002) and U00002 (G82003);
// Region Y59 > ICB QXU > PCN U00003 (H81001). Medway LA belongs to QKS, Surrey LA to QXU.
const FIXTURE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL),
  ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('QXU', 'Surrey Heartlands ICB', 'ICB', 'Y59'),
  ('U00001', 'Medway North PCN', 'PCN', 'QKS'),
  ('U00002', 'Medway South PCN', 'PCN', 'QKS'),
  ('U00003', 'Surrey West PCN', 'PCN', 'QXU'),
  ('G82001', 'Riverside Surgery', 'GP', 'U00001'),
  ('G82002', 'Castle Practice', 'GP', 'U00001'),
  ('G82003', 'Hill Medical Centre', 'GP', 'U00002'),
  ('H81001', 'Heath Surgery', 'GP', 'U00003'),
  ('E06000035', 'Medway', 'LA', NULL),
  ('E10000030', 'Surrey', 'LA', NULL),
  ('RPA', 'Medway NHS Foundation Trust', 'TRUST', 'QKS');
INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES
  ('E06000035', 'Medway', 'QKS', 'Y59'),
  ('E10000030', 'Surrey', 'QXU', 'Y59');
INSERT INTO ims.gp_practice (code, la_code) VALUES
  ('G82001', 'E06000035'), ('G82002', 'E06000035'), ('G82003', 'E06000035'), ('H81001', 'E10000030');
INSERT INTO ims.person (id, nhs_number, given_name, family_name, date_of_birth, practice_code, la_code) VALUES
  (1, $1, 'Amy', 'One', '2020-01-01', 'G82001', 'E06000035'),
  (2, $2, 'Ben', 'Two', '2020-02-02', 'G82002', 'E06000035'),
  (3, $3, 'Cat', 'Three', '2020-03-03', 'G82003', NULL),
  (4, $4, 'Dan', 'Four', '1980-04-04', 'H81001', 'E10000030'),
  (5, $5, 'Eve', 'Five', '2019-05-05', NULL, 'E06000035'),
  (6, $6, 'Fay', 'Six', '2018-06-06', NULL, NULL);
INSERT INTO ims.contact_details (person_id, email) VALUES (1, 'one@example.org'), (3, 'three@example.org'), (4, 'four@example.org');
INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES
  (1, 'ASPLENIA', '2021-01-01', 'test'), (4, 'DIABETES', '2010-01-01', 'test');
INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES
  (4, 'RPA', 'NURSING', true, '2015-01-01');
SELECT setval(pg_get_serial_sequence('ims.person', 'id'), 100);
`;

describe('database-enforced access', () => {
  let db: TestDatabase;
  const roles: string[] = [];
  const clients: pg.Client[] = [];
  const users: Record<string, string> = {};

  async function connectAs(key: string): Promise<pg.Client> {
    const name = users[key]!;
    const client = new pg.Client({ connectionString: db.urlAs(name, 'correct-horse-battery') });
    await client.connect();
    clients.push(client);
    return client;
  }

  const sessions: Record<string, pg.Client> = {};
  async function as(key: string): Promise<pg.Client> {
    return (sessions[key] ??= await connectAs(key));
  }

  async function visibleIds(key: string, table = 'ims.person', column = 'id'): Promise<number[]> {
    const c = await as(key);
    const { rows } = await c.query<{ id: string }>(`SELECT ${column} AS id FROM ${table} ORDER BY 1`);
    return rows.map((r) => Number(r.id));
  }

  async function sqlError(key: string, sql: string, params: unknown[] = []): Promise<string | undefined> {
    const c = await as(key);
    try {
      await c.query(sql, params);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    // The numbers are computed digits, so inlining them is safe; a multi-statement script takes no parameters.
    await db.query(FIXTURE.replace(/\$(\d)/g, (_, n: string) => `'${nhs(Number(n) - 1)}'`));
    const plan: Array<[string, string, string[]]> = [
      ['practice', 'coordinator', ['G82001']],
      ['pcn', 'coordinator', ['U00001']],
      ['icb', 'coordinator', ['QKS']],
      ['la', 'child-health', ['E06000035']],
      ['analyst', 'analyst', ['Y59']],
      ['admin', 'administrator', []],
      ['oh', 'occupational-health', ['H81001']],
    ];
    for (const [key, role, orgs] of plan) {
      const name = uniqueName(`t_${key}`);
      roles.push(name);
      users[key] = name;
      await addUser(db.url, { name, role, orgs, password: 'correct-horse-battery' });
    }
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await db.drop();
    await dropRoles(roles);
  });

  it('scopes persons by practice, PCN, ICB, local authority and region; administrators see all', async () => {
    expect(await visibleIds('practice')).toEqual([1]);
    expect(await visibleIds('pcn')).toEqual([1, 2]);
    // The ICB covers its practices and the people living in its local authority.
    expect(await visibleIds('icb')).toEqual([1, 2, 3, 5]);
    expect(await visibleIds('la')).toEqual([1, 2, 5]);
    // Analysts read aggregates only (0026): not even the ids of the people in their scope.
    expect(await sqlError('analyst', `SELECT id FROM ims.person`)).toBe('42501');
    expect(await visibleIds('admin')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await visibleIds('oh')).toEqual([4]);
  });

  it('exposes the scope functions for the signed-in user', async () => {
    const c = await as('icb');
    const { rows } = await c.query(
      `SELECT ims.is_admin() AS admin, ims.scope_practices() AS practices, ims.scope_local_authorities() AS las,
              ims.person_in_scope(3) AS p3, ims.person_in_scope(4) AS p4`,
    );
    expect(rows[0]).toEqual({ admin: false, practices: ['G82001', 'G82002', 'G82003'], las: ['E06000035'], p3: true, p4: false });
    const a = await as('admin');
    expect((await a.query('SELECT ims.is_admin() AS admin')).rows[0].admin).toBe(true);
  });

  it('shows person-linked data only through the audited functions, and only for persons in scope', async () => {
    // Which of persons 1-6 have rows of a kind, as the user reads them through api.* (0022).
    const withRows = async (key: string, fn: string): Promise<number[]> => {
      const c = await as(key);
      const { rows } = await c.query<{ id: number }>(
        `SELECT p.id FROM generate_series(1, 6) AS p(id) WHERE EXISTS (SELECT 1 FROM ${fn}(p.id, 'test')) ORDER BY 1`,
      );
      return rows.map((r) => r.id);
    };
    const withContact = async (key: string): Promise<number[]> => {
      const c = await as(key);
      const { rows } = await c.query<{ id: number }>(
        `SELECT p.id FROM generate_series(1, 6) AS p(id) WHERE api.person_record(p.id, 'test')->'contact' <> 'null'::jsonb ORDER BY 1`,
      );
      return rows.map((r) => r.id);
    };
    expect(await withContact('practice')).toEqual([1]);
    expect(await withContact('icb')).toEqual([1, 3]);
    expect(await withRows('practice', 'api.person_flags')).toEqual([1]);
    expect(await withRows('la', 'api.person_flags')).toEqual([1]);
    expect(await withRows('oh', 'api.person_staff_records')).toEqual([4]);
    expect(await withRows('icb', 'api.person_staff_records')).toEqual([]);
    expect(await withRows('admin', 'api.person_flags')).toEqual([1, 4]);
    // The tables themselves are closed to every group.
    for (const table of ['ims.contact_details', 'ims.clinical_flag', 'ims.staff_record', 'ims.vaccination_event', 'ims.adverse_reaction']) {
      expect(await sqlError('admin', `SELECT 1 FROM ${table} LIMIT 1`), table).toBe('42501');
    }
  });

  it('lets a coordinator change only persons in scope, and never move one out of scope', async () => {
    const c = await as('practice');
    const outside = await c.query(`UPDATE ims.person SET given_name = 'Changed' WHERE id = 3`);
    expect(outside.rowCount).toBe(0);
    const inside = await c.query(`UPDATE ims.person SET given_name = 'Amelia' WHERE id = 1`);
    expect(inside.rowCount).toBe(1);
    expect(await sqlError('practice', `UPDATE ims.person SET practice_code = 'G82003' WHERE id = 1`)).toBe('42501');
    expect(
      await sqlError(
        'practice',
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES ($1, 'New', 'Out', '2024-01-01', 'G82003')`,
        [nhs(10)],
      ),
    ).toBe('42501');
    // Registering people is for administrators and feeds, even in scope: a refused duplicate
    // would say the NHS number is registered somewhere else (issue 7, finding 6).
    expect(
      await sqlError(
        'practice',
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES ($1, 'New', 'In', '2024-01-01', 'G82001')`,
        [nhs(11)],
      ),
    ).toBe('42501');
    const owner = await db.query(`SELECT given_name FROM ims.person WHERE id IN (1, 3) ORDER BY id`);
    expect(owner.rows.map((r) => r.given_name)).toEqual(['Amelia', 'Cat']);
  });

  it('refuses direct writes to person-linked tables, in scope or not', async () => {
    for (const person of [1, 3]) {
      expect(
        await sqlError(
          'practice',
          `INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES (${person}, 'PREGNANT', '2025-01-01', 'x')`,
        ),
      ).toBe('42501');
      expect(await sqlError('practice', `UPDATE ims.contact_details SET email = 'x@example.org' WHERE person_id = ${person}`)).toBe(
        '42501',
      );
    }
    expect(
      await sqlError(
        'oh',
        `INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES (4, 'RPA', 'ADMIN', false, '2020-01-01')`,
      ),
    ).toBe('42501');
    expect(await sqlError('oh', `UPDATE ims.staff_record SET department = 'Theatres' WHERE person_id = 4`)).toBe('42501');
  });

  it('keeps analysts read-only and deletion for administrators', async () => {
    expect(await sqlError('analyst', `UPDATE ims.person SET given_name = 'X' WHERE id = 1`)).toBe('42501');
    expect(
      await sqlError(
        'analyst',
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES ($1, 'A', 'B', '2024-01-01', 'G82001')`,
        [nhs(12)],
      ),
    ).toBe('42501');
    expect(await sqlError('practice', `DELETE FROM ims.person WHERE id = 1`)).toBe('42501');
    expect(await sqlError('practice', `INSERT INTO ims.organisation (code, name, org_type) VALUES ('X1', 'X', 'GP')`)).toBe('42501');
    const admin = await as('admin');
    expect((await admin.query(`DELETE FROM ims.person WHERE id = 6`)).rowCount).toBe(1);
    expect((await admin.query(`INSERT INTO ims.organisation (code, name, org_type) VALUES ('X1', 'X', 'EMPLOYER')`)).rowCount).toBe(1);
  });

  it('shows users only their own scope, through a function; nobody reads or writes the tables', async () => {
    const c = await as('pcn');
    const scope = await c.query(`SELECT code FROM api.my_organisations()`);
    expect(scope.rows.map((r) => r.code)).toEqual(['U00001']);
    // Read directly, EXPLAIN would count colleagues' rows the policies hide (0027).
    for (const key of ['pcn', 'admin']) {
      expect(await sqlError(key, `SELECT role_name FROM ims.app_user`), key).toBe('42501');
      expect(await sqlError(key, `SELECT org_code FROM ims.user_scope`), key).toBe('42501');
    }
    expect(await sqlError('pcn', `INSERT INTO ims.user_scope (role_name, org_code) VALUES ($1, 'Y59')`, [users.pcn])).toBe('42501');
    expect(await sqlError('admin', `INSERT INTO ims.user_scope (role_name, org_code) VALUES ($1, 'Y59')`, [users.pcn])).toBe('42501');
    expect(await sqlError('pcn', `UPDATE ims.app_user SET disabled_at = NULL`)).toBe('42501');
  });

  it('evaluates the scope once per statement, as hash tables, not once per row', async () => {
    const c = await as('la');
    const { rows } = await c.query(`EXPLAIN (COSTS OFF) SELECT id FROM ims.person WHERE id > 0`);
    const plan = rows.map((r) => r['QUERY PLAN'] as string).join('\n');
    expect(plan.match(/hashed SubPlan/g)?.length).toBe(2);
    expect(plan).toMatch(/InitPlan/); // is_admin(), once
  });
});

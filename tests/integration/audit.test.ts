// The audit trail is written by the database itself, as real login roles change data.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import { nhsCheckDigit } from '../../main-api/shared/identifiers/nhs-number';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { dropRoles, TWO_PRACTICES_SQL } from '../support/fixtures';

/** Valid synthetic NHS numbers (999 range) from a starting index. */
function nhsNumbers(from: number, count: number): string[] {
  const out: string[] = [];
  for (let i = from; out.length < count; i++) {
    const first9 = `999${String(i).padStart(6, '0')}`;
    const check = nhsCheckDigit(first9);
    if (check !== null) out.push(`${first9}${check}`);
  }
  return out;
}

// Valid 999-range NHS numbers computed in SQL, for set-based loads (indexes from..to).
const NHS_SQL = `
  SELECT s || CASE WHEN c = 11 THEN '0' ELSE c::text END AS nhs, i
  FROM (SELECT i, s, 11 - ((substr(s,1,1)::int*10 + substr(s,2,1)::int*9 + substr(s,3,1)::int*8 + substr(s,4,1)::int*7
                          + substr(s,5,1)::int*6 + substr(s,6,1)::int*5 + substr(s,7,1)::int*4 + substr(s,8,1)::int*3
                          + substr(s,9,1)::int*2) % 11) AS c
        FROM (SELECT i, '999' || lpad(i::text, 6, '0') AS s FROM generate_series($1::int, $2::int) AS i) a) b
  WHERE c <> 10`;

type ChangeRow = {
  actor: string;
  table_name: string;
  operation: string;
  row_id: string | null;
  person_id: string | null;
  old_row: Record<string, unknown> | null;
  new_row: Record<string, unknown> | null;
  bulk_row_count: number | null;
  note: string | null;
};

describe('audit trail', () => {
  let db: TestDatabase;
  const roles: string[] = [];
  const clients: pg.Client[] = [];
  let coordName = '';
  let adminName = '';
  let coord: pg.Client;
  let admin: pg.Client;
  let [inScope, outOfScope] = [0, 0];
  const numbers = nhsNumbers(0, 20);

  async function login(name: string): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: db.urlAs(name, 'audit-test-password') });
    await c.connect();
    clients.push(c);
    return c;
  }

  async function errorCode(client: pg.Client, sql: string): Promise<string | undefined> {
    try {
      await client.query(sql);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  }

  async function changes(where: string, params: unknown[] = []): Promise<ChangeRow[]> {
    const { rows } = await db.query<ChangeRow>(`SELECT * FROM audit.change_log WHERE ${where} ORDER BY id`, params);
    return rows;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    const ids = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES
         ($1, 'In', 'Scope', '2020-01-01', 'G82001'), ($2, 'Out', 'Scope', '2020-01-01', 'G82002') RETURNING id`,
      [numbers[0], numbers[1]],
    );
    [inScope, outOfScope] = ids.rows.map((r) => Number(r.id)) as [number, number];
    coordName = uniqueName('t_coord');
    adminName = uniqueName('t_admin');
    roles.push(coordName, adminName);
    await addUser(db.url, { name: coordName, role: 'coordinator', orgs: ['G82001'], password: 'audit-test-password' });
    await addUser(db.url, { name: adminName, role: 'administrator', orgs: [], password: 'audit-test-password' });
    coord = await login(coordName);
    admin = await login(adminName);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await db.drop();
    await dropRoles(roles);
  });

  it('records inserts, updates and deletes with the actor and the old and new rows', async () => {
    // Administrators register people; coordinators may not (issue 7, finding 6).
    const ins = await admin.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
       VALUES ($1, 'Ada', 'Lovelace', '2021-12-10', 'G82001') RETURNING id`,
      [numbers[2]],
    );
    const id = ins.rows[0]!.id;
    await coord.query(`UPDATE ims.person SET given_name = 'Augusta' WHERE id = $1`, [id]);
    // Contact details are written by feeds (the owner) since users lost direct access (0022).
    await db.query(`INSERT INTO ims.contact_details (person_id, email) VALUES ($1, 'ada@example.org')`, [id]);
    const owner = (await db.query<{ name: string }>(`SELECT session_user AS name`)).rows[0]!.name;
    await admin.query(`DELETE FROM ims.person WHERE id = $1`, [id]);

    const rows = await changes(`person_id = $1`, [id]);
    expect(rows.map((r) => [r.table_name, r.operation, r.actor])).toEqual([
      ['ims.person', 'INSERT', adminName],
      ['ims.person', 'UPDATE', coordName],
      ['ims.contact_details', 'INSERT', owner],
      // The cascade from the administrator's delete is recorded as theirs, for both tables.
      ['ims.person', 'DELETE', adminName],
      ['ims.contact_details', 'DELETE', adminName],
    ]);
    const [insert, update, contact, del] = rows;
    expect(insert!.row_id).toBe(id);
    expect(insert!.old_row).toBeNull();
    expect(insert!.new_row).toMatchObject({ given_name: 'Ada', date_of_birth: '2021-12-10', nhs_number: numbers[2] });
    expect(update!.old_row).toMatchObject({ given_name: 'Ada' });
    expect(update!.new_row).toMatchObject({ given_name: 'Augusta' });
    expect(contact!.row_id).toBe(id); // contact_details is keyed by person_id
    expect(del!.old_row).toMatchObject({ given_name: 'Augusta' });
    expect(del!.new_row).toBeNull();
  });

  it('pairs old and new rows in multi-row updates and skips rows left unchanged', async () => {
    const ids = await admin.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
       SELECT n, 'Twin', 'Pair' || i, '2022-02-02', 'G82001' FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) RETURNING id`,
      [numbers.slice(3, 6)],
    );
    const list = ids.rows.map((r) => r.id);
    await admin.query(`UPDATE ims.person SET given_name = 'Twin' WHERE id = $1::bigint`, [list[0]]); // no actual change
    await admin.query(`UPDATE ims.person SET given_name = 'Paired' WHERE id = ANY ($1::bigint[])`, [list]);
    const rows = await changes(`operation = 'UPDATE' AND row_id = ANY ($1::text[])`, [list]);
    expect(rows).toHaveLength(3);
    for (const r of rows) {
      expect(r.old_row!.id).toBe(Number(r.row_id));
      expect(r.new_row!.id).toBe(Number(r.row_id));
      expect(r.old_row!.given_name).toBe('Twin');
      expect(r.new_row!.given_name).toBe('Paired');
    }
  });

  it('audits user administration tables, keyed by their primary keys', async () => {
    const rows = await changes(`table_name = 'ims.user_scope' AND row_id = $1`, [`${coordName},G82001`]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.operation).toBe('INSERT');
    const users = await changes(`table_name = 'ims.app_user' AND row_id = $1`, [coordName]);
    expect(users[0]!.new_row).toMatchObject({ role_name: coordName });
  });

  it('lets no ordinary role change, remove or forge audit rows', async () => {
    for (const c of [coord, admin]) {
      expect(await errorCode(c, `UPDATE audit.change_log SET actor = 'someone'`)).toBe('42501');
      expect(await errorCode(c, `DELETE FROM audit.change_log`)).toBe('42501');
      expect(await errorCode(c, `TRUNCATE audit.change_log`)).toBe('42501');
      expect(await errorCode(c, `INSERT INTO audit.change_log (table_name, operation) VALUES ('ims.person', 'INSERT')`)).toBe('42501');
      expect(await errorCode(c, `DELETE FROM audit.record_view`)).toBe('42501');
      expect(await errorCode(c, `INSERT INTO audit.record_view (person_id, purpose) VALUES (1, 'fake')`)).toBe('42501');
    }
    // Only administrators read the change log.
    expect(await errorCode(coord, `SELECT * FROM audit.change_log`)).toBe('42501');
    expect((await admin.query(`SELECT count(*)::int AS n FROM audit.change_log`)).rows[0].n).toBeGreaterThan(0);
  });

  it('refuses changes to audit rows even from the owner while the guard trigger is in place', async () => {
    const before = (await db.query(`SELECT count(*)::int AS n FROM audit.change_log`)).rows[0]!.n;
    await expect(db.query(`DELETE FROM audit.change_log`)).rejects.toThrow(/Audit records cannot be changed/);
    await expect(db.query(`UPDATE audit.change_log SET note = 'x'`)).rejects.toThrow(/Audit records cannot be changed/);
    await expect(db.query(`TRUNCATE audit.record_view`)).rejects.toThrow(/Audit records cannot be changed/);
    expect((await db.query(`SELECT count(*)::int AS n FROM audit.change_log`)).rows[0]!.n).toBe(before);
  });

  it('ignores the bulk-load setting for application users: every row is still logged', async () => {
    await admin.query('BEGIN');
    await admin.query(`SET LOCAL ims.bulk_load_reason = 'hide this'`);
    await admin.query(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
       SELECT n, 'Bulk', 'Administrator', '2023-03-03', 'G82001' FROM unnest($1::text[]) AS n`,
      [numbers.slice(6, 9)],
    );
    await admin.query('COMMIT');
    const rows = await changes(`actor = $1 AND new_row->>'family_name' = 'Administrator'`, [adminName]);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.bulk_row_count === null && r.note === null)).toBe(true);
    expect(await changes(`note = 'hide this'`)).toHaveLength(0);
  });

  it("writes one summary row per statement for the owner's declared bulk loads", async () => {
    const owner = new pg.Client({ connectionString: db.url });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query(`SET LOCAL ims.bulk_load_reason = 'Demographic feed 2026-11-21'`);
      const n = await owner.query(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
         SELECT nhs, 'Fed', 'Person' || i, '2015-01-01', 'G82002' FROM (${NHS_SQL}) x`,
        [1000, 1199],
      );
      await owner.query(`UPDATE ims.person SET given_name = 'Fed2' WHERE given_name = 'Fed'`);
      await owner.query('COMMIT');
      const rows = await changes(`note = 'Demographic feed 2026-11-21'`);
      expect(rows.map((r) => [r.operation, r.bulk_row_count, r.row_id, r.person_id, r.table_name])).toEqual([
        ['INSERT', n.rowCount, null, null, 'ims.person'],
        ['UPDATE', n.rowCount, null, null, 'ims.person'],
      ]);
      expect(await changes(`new_row->>'given_name' IN ('Fed', 'Fed2')`)).toHaveLength(0);
      // Without the setting, the owner's changes are logged row by row like anyone's.
      await owner.query(
        `UPDATE ims.person SET given_name = 'Fed3' WHERE id IN (SELECT id FROM ims.person WHERE given_name = 'Fed2' LIMIT 2)`,
      );
      expect(await changes(`new_row->>'given_name' = 'Fed3'`)).toHaveLength(2);
    } finally {
      await owner.end();
    }
  });

  it("records who opened a record, and refuses persons outside the caller's scope", async () => {
    const opened = await coord.query(`SELECT ims.open_person_record($1, 'vaccination history') AS ok`, [inScope]);
    expect(opened.rows[0].ok).toBe(true);
    const defaulted = await coord.query(`SELECT ims.open_person_record($1) AS ok`, [inScope]);
    expect(defaulted.rows[0].ok).toBe(true);
    const refused = await coord.query(`SELECT ims.open_person_record($1, 'curious') AS ok`, [outOfScope]);
    expect(refused.rows[0].ok).toBe(false);
    // Calling the definer helper directly does not get round the scope either.
    const direct = await coord.query(`SELECT audit.log_record_view($1, 'curious') AS ok`, [outOfScope]);
    expect(direct.rows[0].ok).toBe(false);

    const { rows } = await db.query(`SELECT actor, person_id::int AS person_id, purpose FROM audit.record_view ORDER BY id`);
    expect(rows).toEqual([
      { actor: coordName, person_id: inScope, purpose: 'vaccination history' },
      { actor: coordName, person_id: inScope, purpose: 'view' },
    ]);
    await admin.query(`SELECT ims.open_person_record($1, 'audit review')`, [outOfScope]);
    // Anyone who can see the person can see who opened it, through the function; nobody else (0025).
    const seen = async (c: pg.Client, person: number) =>
      (await c.query(`SELECT actor FROM api.person_recent_views($1)`, [person])).rows.map((r) => r.actor as string);
    expect(await seen(coord, inScope)).toEqual([coordName]);
    expect(await seen(coord, outOfScope)).toEqual([]);
    expect(await seen(admin, outOfScope)).toEqual([]);
    await admin.query(`SELECT ims.open_person_record($1, 'view')`, [outOfScope]);
    expect(await seen(admin, outOfScope)).toEqual([adminName]);
    // The audit table itself is closed to every group, administrators included.
    for (const who of [coord, admin]) expect(await errorCode(who, `SELECT person_id FROM audit.record_view`)).toBe('42501');
  });
});

// Plain SQL as a scoped application user: the ways around the application that the database
// must refuse (migration 0006). Since 0022 users write vaccinations only through the api
// functions, so these probes call them directly, as a tampered client could.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { addUser } from '../../main-api/administration/users.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { addPerson, nhsSequence, TWO_PRACTICES_SQL } from '../support/fixtures';

const nhs = nhsSequence(999_400_000, 17);

describe('database hardening against a user with plain SQL', () => {
  let db: TestDatabase;
  let nurse: pg.Client;
  let nurseName: string;
  let person: number;
  let outsider: number;
  let batchId: number;

  const record = (row: Record<string, unknown>) =>
    nurse.query<{ id: string }>(`SELECT api.record_vaccination($1::jsonb) AS id`, [
      JSON.stringify({
        programme_code: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurred_on: '2025-02-01',
        product_code: PRODUCT.MMRVAXPRO,
        batch_id: batchId,
        primary_source: true,
        ...row,
      }),
    ]);
  const newEvent = async (): Promise<number> => Number((await record({ person_id: person })).rows[0]!.id);

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    const add = (i: number, practiceCode: string) =>
      addPerson(db, { nhsNumber: nhs(i), givenName: 'Ann', familyName: 'Lee', dateOfBirth: '2024-01-10', practiceCode });
    person = await add(1, 'G82001');
    outsider = await add(2, 'G82002');
    batchId = Number(
      (
        await db.query(`INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'AB1', '2030-01-01') RETURNING id`, [
          PRODUCT.MMRVAXPRO,
        ])
      ).rows[0]!.id,
    );
    nurseName = uniqueName('nurse');
    const u = await addUser(db.url, { name: nurseName, role: 'child-health', orgs: ['G82001'] });
    nurse = new pg.Client({ connectionString: db.urlAs(u.name, u.password) });
    await nurse.connect();
  });

  afterAll(async () => {
    await nurse?.end();
    await db.drop();
  });

  it('cannot attach the audit trigger function to a table of its own to forge audit rows', async () => {
    await nurse.query(`CREATE TEMP TABLE t (id bigint PRIMARY KEY, person_id bigint, msg text)`);
    await expect(
      nurse.query(`CREATE TRIGGER x AFTER INSERT ON t REFERENCING NEW TABLE AS new_rows
                   FOR EACH STATEMENT EXECUTE FUNCTION audit.capture('person_id', 'id')`),
    ).rejects.toThrow(/permission denied/);
    await expect(nurse.query(`INSERT INTO t VALUES (1, $1, 'forged')`, [outsider])).resolves.toBeDefined();
    const forged = await db.query(`SELECT count(*)::int AS n FROM audit.change_log WHERE table_name LIKE 'pg_temp%'`);
    expect(forged.rows[0]!.n).toBe(0);
  });

  it('still audits the user’s real changes through the existing triggers', async () => {
    const id = await newEvent();
    const log = await db.query(`SELECT actor FROM audit.change_log WHERE table_name LIKE '%vaccination_event' AND row_id = $1`, [
      String(id),
    ]);
    expect(log.rows.map((r) => r.actor)).toContain(nurseName);
  });

  it('cannot make a dose disappear by marking it superseded without a correction', async () => {
    const id = await newEvent();
    await expect(nurse.query(`UPDATE ims.vaccination_event SET status = 'SUPERSEDED' WHERE id = $1`, [id])).rejects.toThrow(
      /permission denied/,
    );
    const r = await db.query(`SELECT status FROM ims.vaccination_event WHERE id = $1`, [id]);
    expect(r.rows[0]!.status).toBe('ACTIVE');
  });

  it('can still correct a dose, which supersedes the original as the database does it', async () => {
    const id = await newEvent();
    const r = await record({ person_id: person, occurred_on: '2025-02-02', supersedes_id: id, change_reason: 'wrong date' });
    const old = await db.query(`SELECT status, status_changed_by FROM ims.vaccination_event WHERE id = $1`, [id]);
    expect(old.rows[0]).toEqual({ status: 'SUPERSEDED', status_changed_by: nurseName });
    expect(Number(r.rows[0]!.id)).toBeGreaterThan(id);
  });

  it('cannot supersede an event of a person outside its scope through a correction', async () => {
    const theirs = Number(
      (
        await db.query(
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, batch_id, primary_source)
           VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2025-02-01', $2, $3, true) RETURNING id`,
          [outsider, PRODUCT.MMRVAXPRO, batchId],
        )
      ).rows[0]!.id,
    );
    await expect(record({ person_id: outsider, supersedes_id: theirs, change_reason: 'x' })).rejects.toThrow(/not available to you/);
    // The same words as for an event that does not exist (issue 7, finding 5).
    await expect(record({ person_id: person, supersedes_id: theirs, change_reason: 'x' })).rejects.toThrow(
      /does not exist or is not visible/,
    );
    const r = await db.query(`SELECT status FROM ims.vaccination_event WHERE id = $1`, [theirs]);
    expect(r.rows[0]!.status).toBe('ACTIVE');
  });

  it('cannot rewrite who changed a status, or when', async () => {
    const id = await newEvent();
    await nurse.query(`SELECT api.mark_entered_in_error($1, 'wrong child')`, [id]);
    await expect(
      nurse.query(`UPDATE ims.vaccination_event SET status_changed_by = 'dr_someone', status_changed_at = '2001-01-01' WHERE id = $1`, [
        id,
      ]),
    ).rejects.toThrow(/permission denied/);
    const r = await db.query(`SELECT status_changed_by FROM ims.vaccination_event WHERE id = $1`, [id]);
    expect(r.rows[0]!.status_changed_by).toBe(nurseName);
  });

  it('cannot claim who added a batch, and the database records it', async () => {
    await expect(
      nurse.query(
        `INSERT INTO ims.batch (product_code, batch_number, expiry_date, created_by) VALUES ($1, 'ZZ9', '2030-01-01', 'dr_other')`,
        [PRODUCT.MMRVAXPRO],
      ),
    ).rejects.toThrow(/permission denied/);
    const r = await nurse.query(
      `INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'ZZ9', '2030-01-01') RETURNING created_by`,
      [PRODUCT.MMRVAXPRO],
    );
    expect(r.rows[0].created_by).toBe(nurseName);
  });

  it('cannot choose row ids, which would block other users’ inserts', async () => {
    await expect(
      nurse.query(
        `INSERT INTO ims.vaccination_event (id, person_id, programme_code, outcome, occurred_on, product_code, batch_id, primary_source)
         VALUES (999999, $1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2025-02-01', $2, $3, true)`,
        [person, PRODUCT.MMRVAXPRO, batchId],
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      nurse.query(
        `INSERT INTO ims.clinical_flag (id, person_id, flag_code, from_date, source) VALUES (999999, $1, 'ASPLENIA', '2025-01-01', 'x')`,
        [person],
      ),
    ).rejects.toThrow(/permission denied/);
    // The recording function takes only the columns a user may write: an id in the row is ignored.
    const r = await record({ id: 999999, person_id: person, recorded_by: 'dr_other' });
    expect(Number(r.rows[0]!.id)).not.toBe(999999);
    const row = await db.query(`SELECT recorded_by FROM ims.vaccination_event WHERE id = $1`, [r.rows[0]!.id]);
    expect(row.rows[0]!.recorded_by).toBe(nurseName);
  });
});

// The attack review of issue 7, repeated as tests: scoped users with their own credentials and
// plain SQL try each covert channel the review found, and each test fails if the hole reopens.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { createForecastHandlers } from '../../main-api/forecast';
import { scheduleRules } from '../../main-api/schedule';
import { createVaccinationHandlers } from '../../main-api/vaccination/vaccination.service';
import { call, dropRoles, nhsSequence, userConnections } from '../support/fixtures';

const nhs = nhsSequence(999_700_000, 23);
const PASSWORD = 'attack-review-password';
const MMRVAXPRO = '13968211000001108';

// Region Y59 > ICB QKS > PCN U00001 (G82001, G82002) and PCN U00002 (G82003). The coordinator
// sees U00001's people (ids 1 and 2); person 3 at G82003 is outside their scope.
const FIXTURE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('U00001', 'Medway North PCN', 'PCN', 'QKS'), ('U00002', 'Medway South PCN', 'PCN', 'QKS'),
  ('G82001', 'Riverside Surgery', 'GP', 'U00001'), ('G82002', 'Castle Practice', 'GP', 'U00001'),
  ('G82003', 'Hill Medical Centre', 'GP', 'U00002');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G82003');
INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES ('E06000035', 'Medway', 'QKS', 'Y59');
INSERT INTO ims.person (id, nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES
  (1, '${nhs(1)}', 'Amy', 'Inside', '2020-01-01', 'G82001'),
  (2, '${nhs(2)}', 'Ben', 'Inside', '2020-02-02', 'G82002'),
  (3, '${nhs(3)}', 'Cat', 'Outside', '2020-03-03', 'G82003');
SELECT setval(pg_get_serial_sequence('ims.person', 'id'), 100);
INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES (3, 'ASPLENIA', '2021-01-01', 'test');
INSERT INTO ims.batch (id, product_code, batch_number, expiry_date) VALUES (1, '${MMRVAXPRO}', 'AB1', '2025-12-31');
INSERT INTO ims.vaccination_event (id, person_id, programme_code, outcome, occurred_on, product_code, batch_id, primary_source, source_system, source_id) VALUES
  (1, 1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-02-01', '${MMRVAXPRO}', 1, true, 'GP', 'inside-1'),
  (2, 3, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-03-01', '${MMRVAXPRO}', 1, true, 'GP', 'outside-1');
SELECT setval(pg_get_serial_sequence('ims.vaccination_event', 'id'), 100);
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES ('RPA', 'Medway NHS Foundation Trust', 'TRUST', 'QKS');
INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES (3, 'RPA', 'NURSING', true, '2019-01-01');
`;

type Who = 'coordinator' | 'childHealth' | 'occupationalHealth' | 'analyst' | 'admin';

describe('attack review (issue 7): plain SQL as scoped login roles', () => {
  let db: TestDatabase;
  const roles: string[] = [];
  const names = {} as Record<Who, string>;
  const sessions = {} as Record<Who, pg.Client>;
  let connections: ReturnType<typeof userConnections>;

  /** The SQLSTATE and message a statement fails with, or null when it succeeds. */
  async function failure(who: Who, sql: string, params: unknown[] = []): Promise<{ code: string; message: string } | null> {
    try {
      await sessions[who].query(sql, params);
      return null;
    } catch (error) {
      const e = error as { code: string; message: string };
      return { code: e.code, message: e.message };
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(FIXTURE);
    const plan: Array<[Who, string, string[]]> = [
      ['coordinator', 'coordinator', ['U00001']],
      ['childHealth', 'child-health', ['G82001']],
      ['occupationalHealth', 'occupational-health', ['G82003']],
      ['analyst', 'analyst', ['U00001']],
      ['admin', 'administrator', []],
    ];
    for (const [who, role, orgs] of plan) {
      names[who] = uniqueName(`t_${role.replace('-', '_')}`);
      roles.push(names[who]);
      await addUser(db.url, { name: names[who], role, orgs, password: PASSWORD });
      sessions[who] = new pg.Client({ connectionString: db.urlAs(names[who], PASSWORD) });
      await sessions[who].connect();
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(sessions).map((c) => c.end().catch(() => {})));
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(roles);
  });

  describe('what already held, and must go on holding', () => {
    it('gives COPY, cursors, views and the internal helpers no way round the functions', async () => {
      const probes = [
        `COPY (SELECT nhs_number, family_name FROM ims.person) TO STDOUT`,
        `COPY ims.clinical_flag TO STDOUT`,
        `SELECT ims.person_search_sql('{"kind":"nhs-number"}', 'page')`,
        `SELECT * FROM ims.person_search_run('{"kind":"postcode","postcode":{"level":"district","value":"ME14"}}', 'page', 50, 0)`,
        `SELECT ims.audited_read(3, 'forged')`,
        `INSERT INTO audit.record_view (person_id, purpose) VALUES (3, 'forged')`,
      ];
      for (const who of ['coordinator', 'analyst'] as const) {
        for (const sql of probes) expect((await failure(who, sql))?.code, `${who}: ${sql}`).toBe('42501');
      }
      const c = sessions.coordinator;
      await c.query('BEGIN');
      try {
        expect(
          await c.query(`DECLARE hidden CURSOR FOR SELECT flag_code FROM ims.clinical_flag`).catch((e: { code: string }) => e),
        ).toMatchObject({
          code: '42501',
        });
      } finally {
        await c.query('ROLLBACK');
      }
      // A view of one's own runs with one's own privileges.
      await c.query(`CREATE TEMP VIEW mine AS SELECT id FROM ims.person`);
      await c.query(`CREATE TEMP VIEW flags AS SELECT * FROM ims.clinical_flag`);
      expect((await failure('coordinator', `SELECT * FROM flags`))?.code).toBe('42501');
      expect((await c.query(`SELECT count(*)::int AS n FROM mine`)).rows[0].n).toBe(2);
    });

    it('refuses role escalation and the password verifiers', async () => {
      const me = names.coordinator;
      for (const sql of [
        `GRANT ims_administrator TO ${me}`,
        `SET ROLE ims_administrator`,
        `ALTER ROLE ${me} SUPERUSER`,
        `ALTER ROLE ${me} BYPASSRLS`,
        `SELECT rolpassword FROM pg_authid`,
      ]) {
        expect((await failure('coordinator', sql))?.code, sql).toBe('42501');
      }
      expect((await sessions.coordinator.query(`SELECT ims.is_admin() AS admin`)).rows[0].admin).toBe(false);
    });
  });

  describe('2: an administrator of another IMS database on the same server is nobody here', () => {
    let other: TestDatabase;
    const strangerName = uniqueName('t_other_admin');
    // The same credentials, taken to this database.
    const connectStranger = async (): Promise<pg.Client> => {
      const client = new pg.Client({ connectionString: db.urlAs(strangerName, PASSWORD) });
      await client.connect();
      return client;
    };

    beforeAll(async () => {
      other = await createTestDatabase();
      roles.push(strangerName);
      await addUser(other.url, { name: strangerName, role: 'administrator', orgs: [], password: PASSWORD });
    });

    afterAll(async () => {
      await other?.drop();
    });

    it("cannot even connect: only this database's registered users hold CONNECT on it (0030)", async () => {
      await expect(connectStranger()).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/permission denied for database/),
      });
    });

    it("keeps this database's own administrator an administrator", async () => {
      expect((await sessions.admin.query(`SELECT ims.is_admin() AS admin`)).rows[0].admin).toBe(true);
      expect((await sessions.admin.query(`SELECT count(*)::int AS n FROM ims.person`)).rows[0].n).toBeGreaterThanOrEqual(3);
    });

    // Defence in depth: the checks inside the database (0021) hold even if the door is open.
    describe('if a DBA left the database open to PUBLIC', () => {
      let stranger: pg.Client;

      beforeAll(async () => {
        await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO PUBLIC`);
        stranger = await connectStranger();
      });

      afterAll(async () => {
        await stranger?.end();
        await db.query(`REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC`);
      });

      it('reads nobody and nothing, and changes nothing', async () => {
        const count = async (from: string) => (await stranger.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from}`)).rows[0]!.n;
        expect((await stranger.query(`SELECT ims.is_admin() AS admin`)).rows[0].admin).toBe(false);
        for (const from of [
          'ims.person',
          `api.person_vaccinations(1, 'curious')`,
          `api.person_flags(3, 'curious')`,
          'audit.change_log',
          'api.person_recent_views(1)',
          'api.my_organisations()',
          'ims.user_directory',
          'ims.organisation',
          'ims.batch',
        ]) {
          expect(await count(from), from).toBe(0);
        }
        expect((await stranger.query(`SELECT ims.open_person_record(1, 'curious') AS ok`)).rows[0].ok).toBe(false);
        expect((await stranger.query(`SELECT api.person_record(1, 'curious') AS r`)).rows[0].r).toBeNull();
        // The scope-defining tree, a person and a product: nothing moves.
        expect((await stranger.query(`UPDATE ims.organisation SET parent_code = 'U00001' WHERE code = 'G82003'`)).rowCount).toBe(0);
        expect((await stranger.query(`UPDATE ims.person SET given_name = 'Changed'`)).rowCount).toBe(0);
        expect((await stranger.query(`DELETE FROM ims.person`)).rowCount).toBe(0);
        const insert = await stranger
          .query(`INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES ('G99999', 'Planted', 'GP', 'U00001')`)
          .catch((e: { code: string }) => e);
        expect(insert).toMatchObject({ code: '42501' });
        expect((await db.query(`SELECT parent_code FROM ims.organisation WHERE code = 'G82003'`)).rows[0]!.parent_code).toBe('U00002');
        expect((await db.query(`SELECT count(*)::int AS n FROM ims.person WHERE given_name = 'Changed'`)).rows[0]!.n).toBe(0);
      });
    });
  });

  describe('3 and 1: the register and clinical data only through functions, every clinical read audited', () => {
    const views = async (who: Who, personId: number): Promise<string[]> =>
      (
        await db.query<{ purpose: string }>(`SELECT purpose FROM audit.record_view WHERE actor = $1 AND person_id = $2 ORDER BY id`, [
          names[who],
          personId,
        ])
      ).rows.map((r) => r.purpose);

    it('audits the history, the forecast and the dose check read through the API, once each', async () => {
      const ds = await connections.open({ name: names.childHealth, password: PASSWORD });
      const handlers = {
        ...createVaccinationHandlers(ds, () => '2026-11-30'),
        ...createForecastHandlers(ds, scheduleRules(), () => '2026-11-30'),
      };
      const before = await views('childHealth', 1);
      expect(await call(handlers, 'vaccination.history', { personId: 1 })).toMatchObject({ ok: true, value: { events: [{ id: 1 }] } });
      expect(await call(handlers, 'forecast.get', { personId: 1 })).toMatchObject({ ok: true });
      expect(await call(handlers, 'vaccination.check', { personId: 1, date: '2026-11-30', productCode: MMRVAXPRO })).toMatchObject({
        ok: true,
      });
      expect(await views('childHealth', 1)).toEqual([...before, 'vaccination history', 'forecast', 'dose check']);
      // Outside scope: not found, and nothing to audit.
      for (const [channel, input] of [
        ['vaccination.history', { personId: 3 }],
        ['forecast.get', { personId: 3 }],
        ['vaccination.check', { personId: 3, date: '2026-11-30', productCode: MMRVAXPRO }],
      ] as const) {
        expect(await call(handlers, channel, input)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      }
      expect(await views('childHealth', 3)).toEqual([]);
    });

    it('refuses direct SELECTs, and audits the same read through a function', async () => {
      for (const table of [
        'ims.vaccination_event',
        'ims.adverse_reaction',
        'ims.clinical_flag',
        'ims.staff_record',
        'ims.contact_details',
      ]) {
        for (const who of ['coordinator', 'analyst', 'admin'] as const) {
          expect((await failure(who, `SELECT * FROM ${table}`))?.code, `${who} ${table}`).toBe('42501');
        }
      }
      const before = await views('coordinator', 1);
      const read = await sessions.coordinator.query(`SELECT id FROM api.person_vaccinations(1, 'curiosity')`);
      expect(read.rows.map((r) => Number(r.id))).toEqual([1]);
      expect(await views('coordinator', 1)).toEqual([...before, 'curiosity']);
      // Out of scope reads as absent, and is not a view.
      expect((await sessions.coordinator.query(`SELECT count(*)::int AS n FROM api.person_flags(3, 'curiosity')`)).rows[0].n).toBe(0);
      expect(await views('coordinator', 3)).toEqual([]);
      // An analyst reads aggregates only (0026): not even through the functions.
      expect((await failure('analyst', `SELECT id FROM api.person_vaccinations(1, 'curiosity')`))?.code).toBe('42501');
      expect(await views('analyst', 1)).toEqual([]);
    });

    it('gives EXPLAIN ANALYZE nothing to count: no plan of the tables, only of the function', async () => {
      // Before: "Rows Removed by Filter" counted person 3's flags and events behind the policy.
      for (const sql of [
        `SELECT * FROM ims.clinical_flag WHERE flag_code = 'ASPLENIA'`,
        `SELECT * FROM ims.vaccination_event WHERE person_id = 3`,
      ]) {
        expect((await failure('coordinator', `EXPLAIN ANALYZE ${sql}`))?.code, sql).toBe('42501');
      }
      const plan = await sessions.coordinator.query(`EXPLAIN (ANALYZE, VERBOSE) SELECT * FROM api.person_flags(3, 'probe')`);
      const text = plan.rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      expect(text).toMatch(/Function Scan on api\.person_flags/);
      expect(text).not.toMatch(/Rows Removed|clinical_flag/);
    });

    it('leaves nothing of the register to filter or count, only the search function', async () => {
      // Before: EXPLAIN ANALYZE confirmed Cat's NHS number and walked names behind the policy.
      for (const sql of [
        `SELECT * FROM ims.person WHERE nhs_number = '${nhs(3)}'`,
        `SELECT id FROM ims.person WHERE family_name_key >= 'outside'`,
        `SELECT id FROM ims.person WHERE date_of_birth = '2020-03-03'`,
      ]) {
        for (const who of ['coordinator', 'analyst'] as const) {
          expect((await failure(who, `EXPLAIN ANALYZE ${sql}`))?.code, `${who}: ${sql}`).toBe('42501');
        }
      }
      const search = (q: object) =>
        sessions.coordinator.query(`SELECT id, family_name FROM api.person_search($1::jsonb, 51, 0)`, [JSON.stringify(q)]);
      expect((await search({ kind: 'nhs-number', nhsNumber: nhs(3) })).rows).toEqual([]);
      expect((await search({ kind: 'name', surname: 'Out', givenName: null })).rows).toEqual([]);
      expect((await search({ kind: 'name', surname: 'Ins', givenName: null })).rows.map((r) => Number(r.id))).toEqual([1, 2]);
      const plan = await sessions.coordinator.query(`EXPLAIN (ANALYZE, VERBOSE) SELECT * FROM api.person_search($1::jsonb, 51, 0)`, [
        JSON.stringify({ kind: 'nhs-number', nhsNumber: nhs(3) }),
      ]);
      const text = plan.rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      expect(text).toMatch(/Function Scan on api\.person_search/);
      expect(text).not.toMatch(/Rows Removed|Filter|Index|Seq Scan/);
    });

    it("gives occupational health their own staff's records, audited, and nobody else's", async () => {
      const oh = sessions.occupationalHealth;
      const before = await views('occupationalHealth', 3);
      expect((await oh.query(`SELECT staff_group FROM api.person_staff_records(3, 'staff review')`)).rows).toEqual([
        { staff_group: 'NURSING' },
      ]);
      expect(await views('occupationalHealth', 3)).toEqual([...before, 'staff review']);
      expect((await oh.query(`SELECT count(*)::int AS n FROM api.person_vaccinations(1, 'staff review')`)).rows[0].n).toBe(0);
      expect((await failure('occupationalHealth', `SELECT * FROM ims.staff_record`))?.code).toBe('42501');
      // The coordinator's scope does not reach Cat's staff record.
      expect((await sessions.coordinator.query(`SELECT count(*)::int AS n FROM api.person_staff_records(3, 'curious')`)).rows[0].n).toBe(0);
    });

    it('writes one view per person, purpose and transaction however many functions are called', async () => {
      const before = await views('coordinator', 2);
      await sessions.coordinator.query(
        `SELECT (SELECT count(*) FROM api.person_flags(2, 'review')), (SELECT count(*) FROM api.person_vaccinations(2, 'review')),
                api.person_record(2, 'review') IS NOT NULL`,
      );
      expect(await views('coordinator', 2)).toEqual([...before, 'review']);
    });
  });

  describe('4: changes to the data that defines scope are audited', () => {
    it('records who moved a practice to another network, and every change to the geography', async () => {
      const admin = sessions.admin;
      await admin.query(`UPDATE ims.organisation SET parent_code = 'U00001' WHERE code = 'G82003'`);
      await admin.query(`UPDATE ims.gp_practice SET la_code = 'E06000035' WHERE code = 'G82003'`);
      await admin.query(`UPDATE ims.local_authority SET icb_code = NULL WHERE code = 'E06000035'`);
      await admin.query(`INSERT INTO ims.lsoa (code, name, la_code) VALUES ('E01016012', 'Medway 001A', 'E06000035')`);
      await admin.query(`INSERT INTO ims.postcode_sector (sector, district, area, la_code) VALUES ('ME14 1', 'ME14', 'ME', 'E06000035')`);
      await admin.query(`INSERT INTO ims.postcode_lookup (postcode, lsoa_code) VALUES ('ME14 1AA', 'E01016012')`);
      await admin.query(`DELETE FROM ims.postcode_lookup WHERE postcode = 'ME14 1AA'`);

      const { rows } = await db.query<{
        table_name: string;
        operation: string;
        row_id: string;
        before: string | null;
        after: string | null;
      }>(
        `SELECT table_name, operation, row_id, old_row->>'parent_code' AS before, new_row->>'parent_code' AS after
         FROM audit.change_log WHERE actor = $1 ORDER BY id`,
        [names.admin],
      );
      expect(rows.map((r) => [r.table_name, r.operation, r.row_id])).toEqual([
        ['ims.organisation', 'UPDATE', 'G82003'],
        ['ims.gp_practice', 'UPDATE', 'G82003'],
        ['ims.local_authority', 'UPDATE', 'E06000035'],
        ['ims.lsoa', 'INSERT', 'E01016012'],
        ['ims.postcode_sector', 'INSERT', 'ME14 1'],
        ['ims.postcode_lookup', 'INSERT', 'ME14 1AA'],
        ['ims.postcode_lookup', 'DELETE', 'ME14 1AA'],
      ]);
      expect(rows[0]).toMatchObject({ before: 'U00002', after: 'U00001' });
      // Put back, so the other tests see the scope the fixture describes (and that is audited too).
      await admin.query(`UPDATE ims.organisation SET parent_code = 'U00002' WHERE code = 'G82003'`);
      await admin.query(`UPDATE ims.local_authority SET icb_code = 'QKS' WHERE code = 'E06000035'`);
    });
  });

  describe('5: a correction learns nothing about events outside scope', () => {
    // Through the recording function, as a tampered client would (0022 closed the table itself).
    const correct = (personId: number, supersedesId: number) =>
      failure('coordinator', `SELECT api.record_vaccination($1::jsonb)`, [
        JSON.stringify({
          person_id: personId,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurred_on: '2021-02-02',
          product_code: MMRVAXPRO,
          batch_id: 1,
          primary_source: true,
          supersedes_id: supersedesId,
          change_reason: 'probe',
        }),
      ]);
    /** The failure with the probed id taken out, so answers about different ids compare. */
    const answer = async (personId: number, supersedesId: number) => {
      const f = await correct(personId, supersedesId);
      return f && { code: f.code, message: f.message.replace(String(supersedesId), 'N') };
    };

    it('answers an active, a corrected and an absent event of someone else in the same words', async () => {
      const absent = await answer(1, 99_999);
      expect(absent).toEqual({ code: '23503', message: 'Vaccination event N does not exist or is not visible.' });
      // Another organisation's live event, proposed for their own person or for one in scope.
      expect(await answer(3, 2)).toEqual(await answer(3, 99_999));
      expect(await answer(1, 2)).toEqual(absent);
      // ... and once it is no longer active.
      await db.query(`UPDATE ims.vaccination_event SET status = 'ENTERED_IN_ERROR', status_reason = 'test' WHERE id = 2`);
      expect(await answer(1, 2)).toEqual(absent);
      expect((await db.query(`SELECT status FROM ims.vaccination_event WHERE id = 2`)).rows[0]!.status).toBe('ENTERED_IN_ERROR');
    });

    it('still explains a refused correction of an event in scope', async () => {
      expect((await correct(2, 1))?.message).toMatch(/same person/);
    });
  });

  describe('6: unique keys do not say what exists outside scope', () => {
    it('gives a scoped user no way to test an NHS number against the whole register', async () => {
      const registered = nhs(3); // Cat, outside the coordinator's scope
      const unused = nhs(40);
      const insert = (n: string, tail = '') =>
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
         VALUES ('${n}', 'Probe', 'Probe', '2020-01-01', 'G82001') ${tail}`;
      const answers = [];
      for (const n of [registered, unused]) {
        answers.push(await failure('coordinator', insert(n)));
        answers.push(await failure('coordinator', insert(n, 'ON CONFLICT DO NOTHING')));
        answers.push(await failure('childHealth', insert(n, 'ON CONFLICT (nhs_number) DO NOTHING')));
        answers.push(await failure('coordinator', `UPDATE ims.person SET nhs_number = '${n}' WHERE id = 1`));
      }
      // Every probe is refused before any key is looked at, in the same words for both numbers.
      for (const a of answers) expect(a?.code).toBe('42501');
      expect(answers.slice(0, 4).map((a) => a?.message)).toEqual(answers.slice(4).map((a) => a?.message));
      expect((await db.query(`SELECT count(*)::int AS n FROM ims.person WHERE given_name = 'Probe'`)).rows[0]!.n).toBe(0);
    });

    it("records a dose whose source id another organisation's person already has, and refuses a resend for the same person", async () => {
      const handlers = createVaccinationHandlers(
        await connections.open({ name: names.coordinator, password: PASSWORD }),
        () => '2026-11-30',
      );
      const input = {
        personId: 1,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurredOn: '2021-05-01',
        productCode: MMRVAXPRO,
        batch: { batchNumber: 'X1' },
        primarySource: false,
        reportedBy: { kind: 'GP', name: 'Hill Medical Centre' },
        // Person 3's event (outside scope) has this identity; before, the answer was CONFLICT.
        source: { system: 'GP', id: 'outside-1' },
      };
      expect(await call(handlers, 'vaccination.record', input)).toMatchObject({ ok: true, value: { personId: 1, sourceId: 'outside-1' } });
      expect(await call(handlers, 'vaccination.record', input)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    });
  });

  describe('7: no user changes which row a record is, or when it was written', () => {
    it('refuses new ids, another person and rewritten times, and keeps the times itself', async () => {
      const flag = await db.query<{ id: string }>(
        `INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES (1, 'CARER', '2024-01-01', 'test') RETURNING id`,
      );
      const flagId = flag.rows[0]!.id;
      await db.query(`INSERT INTO ims.contact_details (person_id, email) VALUES (1, 'amy@example.org')`);
      const refusals = [
        // An id planted ahead of the sequence would make everyone else's next insert fail.
        `UPDATE ims.person SET id = 5000 WHERE id = 1`,
        `UPDATE ims.clinical_flag SET id = 5000 WHERE id = ${flagId}`,
        `UPDATE ims.clinical_flag SET person_id = 2 WHERE id = ${flagId}`,
        `UPDATE ims.person SET created_at = '2001-01-01', updated_at = '2001-01-01' WHERE id = 1`,
        `UPDATE ims.contact_details SET updated_at = '2001-01-01' WHERE person_id = 1`,
      ];
      for (const sql of refusals) expect((await failure('coordinator', sql))?.code, sql).toBe('42501');
      const before = await db.query(`SELECT id, created_at, updated_at FROM ims.person WHERE id = 1`);

      // What the record says may still change; the database moves updated_at on.
      await sessions.coordinator.query(`UPDATE ims.person SET given_name = 'Amelia' WHERE id = 1`);
      const after = await db.query(`SELECT id, created_at, updated_at, given_name FROM ims.person WHERE id = 1`);
      expect(after.rows[0]!.created_at).toEqual(before.rows[0]!.created_at);
      expect(after.rows[0]!.updated_at.getTime()).toBeGreaterThan(before.rows[0]!.updated_at.getTime());
      expect(after.rows[0]!.given_name).toBe('Amelia');
      expect((await db.query(`SELECT person_id FROM ims.clinical_flag WHERE id = $1`, [flagId])).rows[0]!.person_id).toBe('1');
    });
  });
});

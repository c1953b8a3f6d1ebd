// The security suite of issue 7, beside the attack review (attack-review.test.ts): every role
// the product has, and an administrator registered only in another database on the same
// server, each with their own credentials and plain SQL, try the ways round the audited
// functions that held before the review and must go on holding. Each attempt must fail or
// find nothing, and the database must be exactly as it was afterwards (tests/support/fingerprint).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { dropRoles, nhsSequence, TWO_PRACTICES_SQL } from '../support/fixtures';
import { changedParts, fingerprint } from '../support/fingerprint';

const nhs = nhsSequence(999_600_000, 31);
const PASSWORD = 'attack-suite-password';

// Everyone scoped holds G82001, where Amy (person 1) is registered. Cat (person 2) at G82002 is
// outside every scope, and has a contact, a flag, a staff record, a dose and a reaction to it.
const FIXTURE = `
${TWO_PRACTICES_SQL}
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES ('RPA', 'Medway NHS Foundation Trust', 'TRUST', 'QKS');
INSERT INTO ims.person (id, nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES
  (1, '${nhs(1)}', 'Amy', 'Inside', '2020-01-01', 'G82001'),
  (2, '${nhs(2)}', 'Cat', 'Outside', '1990-03-03', 'G82002');
SELECT setval(pg_get_serial_sequence('ims.person', 'id'), 100);
INSERT INTO ims.contact_details (person_id, email) VALUES (2, 'cat@example.org');
INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES (2, 'ASPLENIA', '2021-01-01', 'test');
INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES (2, 'RPA', 'NURSING', true, '2019-01-01');
INSERT INTO ims.batch (id, product_code, batch_number, expiry_date) VALUES (1, '${PRODUCT.MMRVAXPRO}', 'AB1', '2026-01-01');
INSERT INTO ims.vaccination_event (id, person_id, programme_code, outcome, occurred_on, product_code, batch_id, primary_source, source_system, source_id) VALUES
  (1, 1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-02-01', '${PRODUCT.MMRVAXPRO}', 1, true, 'GP', 'inside-1'),
  (2, 2, 'ROUTINE_CHILDHOOD', 'GIVEN', '2021-03-01', '${PRODUCT.MMRVAXPRO}', 1, true, 'GP', 'outside-1');
SELECT setval(pg_get_serial_sequence('ims.vaccination_event', 'id'), 100);
INSERT INTO ims.adverse_reaction (vaccination_event_id, person_id, onset_at, reaction_code, seriousness, outcome, reporter)
  VALUES (2, 2, '2021-03-01T15:00:00Z', 'FEVER', 'NOT_SERIOUS', 'RECOVERED', 'Parent');
INSERT INTO audit.record_view (person_id, purpose) VALUES (2, 'view'), (2, 'print');
ANALYZE;
`;

const ROLES = ['coordinator', 'childHealth', 'occupationalHealth', 'analyst', 'admin', 'stranger'] as const;
type Who = (typeof ROLES)[number];
/** Everyone for whom Cat is out of sight: all but this database's administrator. */
const SCOPED = ROLES.filter((r) => r !== 'admin');
/** Tables of person-linked clinical data, closed to every group. */
const CLINICAL = ['ims.vaccination_event', 'ims.adverse_reaction', 'ims.clinical_flag', 'ims.staff_record', 'ims.contact_details'];

interface Outcome {
  error: { code: string; message: string } | null;
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

describe('security suite (issue 7): each role with plain SQL, what held before the review', () => {
  let db: TestDatabase;
  let other: TestDatabase;
  const names = {} as Record<Who, string>;
  const sessions = {} as Record<Who, pg.Client>;

  async function connect(who: Who): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.urlAs(names[who], PASSWORD) });
    await client.connect();
    return client;
  }

  async function run(client: pg.Client, sql: string, params: unknown[] = []): Promise<Outcome> {
    try {
      const r = await client.query(sql, params);
      // A multi-statement query answers with one result per statement: the last one counts.
      const last = Array.isArray(r) ? (r[r.length - 1] as pg.QueryResult) : r;
      return { error: null, rows: last.rows ?? [], rowCount: last.rowCount };
    } catch (error) {
      const e = error as { code: string; message: string };
      return { error: { code: e.code, message: e.message }, rows: [], rowCount: null };
    } finally {
      // Whatever an attempt left open or set, the next one starts clean.
      await client.query('ROLLBACK; RESET ALL; RESET ROLE').catch(() => {});
    }
  }

  /**
   * Runs an attempt as each of who and checks it is refused (with code, when given) and that
   * nothing in the database changed. Returns the outcomes for further checks.
   */
  async function refused(who: readonly Who[], sql: string | ((me: string) => string), code?: string): Promise<void> {
    for (const w of who) {
      const text = typeof sql === 'string' ? sql : sql(names[w]);
      const before = await fingerprint(db, Object.values(names));
      const outcome = await run(sessions[w], text);
      expect(outcome.error, `${w}: ${text} succeeded`).not.toBeNull();
      if (code) expect(outcome.error?.code, `${w}: ${text}: ${outcome.error?.message}`).toBe(code);
      expect(changedParts(before, await fingerprint(db, Object.values(names))), `${w}: ${text}`).toEqual([]);
    }
  }

  /** Like refused(), for attempts that may run but must find nothing: no rows, or an error. */
  async function findsNothing(who: readonly Who[], sql: string | ((me: string) => string)): Promise<void> {
    for (const w of who) {
      const text = typeof sql === 'string' ? sql : sql(names[w]);
      const before = await fingerprint(db, Object.values(names));
      const outcome = await run(sessions[w], text);
      if (!outcome.error) {
        const found = outcome.rows.filter((r) => Object.values(r).some((v) => v !== null && v !== false && v !== 0));
        expect({ found, rowCount: outcome.rows.length ? 0 : (outcome.rowCount ?? 0) }, `${w}: ${text}`).toEqual({ found: [], rowCount: 0 });
      }
      expect(changedParts(before, await fingerprint(db, Object.values(names))), `${w}: ${text}`).toEqual([]);
    }
  }

  beforeAll(async () => {
    [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await db.query(FIXTURE);
    const plan: Array<[Who, string, string[]]> = [
      ['coordinator', 'coordinator', ['G82001']],
      ['childHealth', 'child-health', ['G82001']],
      ['occupationalHealth', 'occupational-health', ['G82001']],
      ['analyst', 'analyst', ['G82001']],
      ['admin', 'administrator', []],
    ];
    for (const [who, role, orgs] of plan) {
      names[who] = uniqueName(`t_${role.replace('-', '_')}`);
      await addUser(db.url, { name: names[who], role, orgs, password: PASSWORD });
    }
    // An administrator of another IMS database on the same server, with the same credentials here.
    names.stranger = uniqueName('t_other_admin');
    await addUser(other.url, { name: names.stranger, role: 'administrator', orgs: [], password: PASSWORD });
    for (const who of ROLES) if (who !== 'stranger') sessions[who] = await connect(who);
  });

  afterAll(async () => {
    await Promise.all(Object.values(sessions).map((c) => c.end().catch(() => {})));
    await Promise.all([db?.drop(), other?.drop()]);
    await dropRoles(Object.values(names));
  });

  it('shuts out the administrator of another database at the door: no CONNECT here (0030)', async () => {
    await expect(connect('stranger')).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/permission denied for database/),
    });
    // Registering users closed the database to PUBLIC; only its registered users hold CONNECT.
    expect((await db.query(`SELECT ims.holds_connect_here(0) AS open`)).rows[0]!.open).toBe(false);
  });

  // Defence in depth: every attempt below runs as if a DBA had reopened the database to PUBLIC
  // (or the owner could not close it, 0030), so the stranger connects and the checks inside
  // the database (0021 onwards) are what must hold.
  describe('if a DBA left the database open to PUBLIC', () => {
    beforeAll(async () => {
      await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO PUBLIC`);
      sessions.stranger = await connect('stranger');
    });

    it('reads nothing of a person outside scope, through the functions or the tables', async () => {
      for (const fn of ['person_vaccinations', 'person_reactions', 'person_flags', 'person_staff_records']) {
        await findsNothing(SCOPED, `SELECT count(*)::int AS n FROM api.${fn}(2, 'curious')`);
      }
      await findsNothing(SCOPED, `SELECT api.person_record(2, 'curious') AS r`);
      await findsNothing(SCOPED, `SELECT api.vaccination_event(2, 'curious', false) AS e`);
      await findsNothing(
        SCOPED,
        `SELECT count(*)::int AS n FROM api.person_search('{"kind":"name","surname":"Outside","givenName":null}', 50, 0)`,
      );
      await findsNothing(
        SCOPED,
        `SELECT count(*)::int AS n FROM api.person_search('{"kind":"nhs-number","nhsNumber":"${nhs(2)}"}', 50, 0)`,
      );
      // The search builds its statement from fixed pieces and binds the values: SQL in a value or
      // in the kind finds nobody outside scope.
      for (const query of [
        { kind: 'name', surname: "x' OR 1=1 --", givenName: null },
        { kind: 'nhs-number', nhsNumber: "1' OR '1'='1" },
        { kind: 'name-postcode', surname: 'Out', givenName: null, postcode: { level: 'district', value: "ME14' OR true --" } },
        { kind: 'postcode', postcode: { level: 'full = p.postcode OR true --', value: 'x' } },
        { kind: "name' OR true --", surname: 'Out' },
        { kind: 'surname-dob', surname: 'Outside', dateOfBirth: "1990-03-03'::date OR true --" },
      ]) {
        const json = JSON.stringify(query).replaceAll("'", "''");
        await findsNothing(SCOPED, `SELECT count(*) FILTER (WHERE id = 2)::int AS n FROM api.person_search('${json}', 50, 0)`);
        await findsNothing(SCOPED, `SELECT count(*) FILTER (WHERE id = 2)::int AS n FROM api.person_near_matches('${json}', 50)`);
        // Amy is the only person in any scoped user's sight.
        await findsNothing(SCOPED, `SELECT api.person_search_count('${json}', 1000) > 1 AS more_than_amy`);
      }
      await findsNothing(SCOPED, `SELECT ims.person_in_scope(2) AS visible`);
      await findsNothing(SCOPED, `SELECT id FROM ims.person WHERE id = 2`);
      await findsNothing(SCOPED, `SELECT count(*)::int AS n FROM api.person_recent_views(2)`);
      await refused(ROLES, `SELECT * FROM audit.record_view WHERE person_id = 2`, '42501');
      // The stranger, a member of the administrators' group, holds its grants but is nobody here.
      await findsNothing(['stranger'], `SELECT count(*)::int AS n FROM ims.person`);
      await findsNothing(['stranger'], `SELECT count(*)::int AS n FROM audit.change_log`);
      for (const table of CLINICAL) await refused(ROLES, `SELECT * FROM ${table}`, '42501');
      // Administrators too read the register through the functions (0027).
      await refused(ROLES, `SELECT nhs_number, family_name, date_of_birth FROM ims.person`, '42501');
    });

    it('changes nothing of a person outside scope', async () => {
      const event = (personId: number) =>
        JSON.stringify({
          person_id: personId,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurred_on: '2022-01-01',
          product_code: PRODUCT.MMRVAXPRO,
          batch_id: 1,
          primary_source: true,
        });
      await refused(SCOPED, `SELECT api.record_vaccination('${event(2)}'::jsonb)`);
      await refused(SCOPED, `SELECT api.mark_entered_in_error(2, 'not mine')`);
      await refused(
        SCOPED,
        `SELECT * FROM api.record_reaction('{"vaccination_event_id":2,"person_id":2,"onset_at":"2021-03-02T10:00:00Z","reaction_code":"RASH","seriousness":"NOT_SERIOUS","outcome":"RECOVERED","reporter":"x"}'::jsonb)`,
      );
      await findsNothing(SCOPED, `UPDATE ims.person SET given_name = 'Changed' WHERE id = 2 RETURNING id`);
      await findsNothing(SCOPED, `DELETE FROM ims.person WHERE id = 2 RETURNING id`);
      for (const table of CLINICAL) {
        await refused(ROLES, `UPDATE ${table} SET person_id = person_id WHERE person_id = 2`, '42501');
        await refused(ROLES, `DELETE FROM ${table} WHERE person_id = 2`, '42501');
        await refused(ROLES, `TRUNCATE ${table}`, '42501');
      }
      // An analyst records nothing, even in scope.
      await refused(['analyst'], `SELECT api.record_vaccination('${event(1)}'::jsonb)`);
    });

    it('gives COPY nothing: not to or from the client, nor a file or program on the server', async () => {
      for (const table of CLINICAL) {
        await refused(ROLES, `COPY ${table} TO STDOUT`, '42501');
        await refused(ROLES, `COPY (SELECT * FROM ${table}) TO STDOUT`, '42501');
        await refused(ROLES, `COPY ${table} FROM STDIN`, '42501');
      }
      await refused(
        SCOPED.filter((r) => r !== 'stranger'),
        `COPY ims.person TO STDOUT`,
        '42501',
      );
      await findsNothing(['stranger'], `COPY ims.person TO STDOUT`);
      await findsNothing(['stranger'], `COPY audit.change_log TO STDOUT`);
      await refused(ROLES, `COPY ims.person FROM STDIN`);
      await refused(ROLES, `COPY audit.change_log FROM STDIN`, '42501');
      await refused(ROLES, `COPY audit.record_view FROM STDIN`, '42501');
      await refused(ROLES, `COPY (SELECT 1) TO PROGRAM 'id'`, '42501');
      await refused(ROLES, `COPY (SELECT 1) TO '/tmp/ims-attack-suite'`, '42501');
      await refused(ROLES, `CREATE TEMP TABLE loot (line text); COPY loot FROM '/etc/passwd'`, '42501');
      await refused(ROLES, `CREATE TEMP TABLE loot (line text); COPY loot FROM PROGRAM 'cat /etc/passwd'`, '42501');
    });

    it('gives cursors nothing to fetch', async () => {
      for (const table of CLINICAL) {
        await refused(ROLES, `BEGIN; DECLARE c CURSOR FOR SELECT * FROM ${table}; FETCH ALL FROM c`, '42501');
        await refused(ROLES, `BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT * FROM ${table}`, '42501');
      }
      await refused(
        ['coordinator', 'childHealth', 'occupationalHealth', 'analyst'],
        `BEGIN; DECLARE c CURSOR FOR SELECT nhs_number FROM ims.person`,
        '42501',
      );
      await findsNothing(['stranger'], `BEGIN; DECLARE c CURSOR FOR SELECT * FROM ims.person; FETCH ALL FROM c`);
    });

    it('lets nobody create in the shared schemas, and their own views and functions run with their own rights', async () => {
      for (const schema of ['public', 'ims', 'api', 'audit']) {
        await refused(ROLES, `CREATE TABLE ${schema}.attack (x int)`, '42501');
        await refused(ROLES, `CREATE VIEW ${schema}.attack AS SELECT 1 AS x`, '42501');
        await refused(ROLES, `CREATE FUNCTION ${schema}.attack() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'`, '42501');
      }
      await refused(ROLES, `CREATE SCHEMA attack`, '42501');
      for (const table of CLINICAL) {
        // A view runs with its owner's rights, and the owner is the user (security_invoker or not).
        await refused(ROLES, `CREATE TEMP VIEW v WITH (security_invoker = false) AS SELECT * FROM ${table}; SELECT * FROM v`, '42501');
        await refused(ROLES, `CREATE TEMP VIEW v WITH (security_barrier) AS SELECT * FROM ${table}; SELECT * FROM v`, '42501');
        // A SECURITY DEFINER function of one's own runs as oneself.
        await refused(
          ROLES,
          `CREATE FUNCTION pg_temp.f() RETURNS SETOF ${table} LANGUAGE sql SECURITY DEFINER AS 'SELECT * FROM ${table}'; SELECT * FROM pg_temp.f()`,
          '42501',
        );
      }
    });

    it('shows a leaky function of their own no row the policies hide', async () => {
      const leaked: string[] = [];
      for (const who of SCOPED) {
        const c = await connect(who);
        c.on('notice', (n) => leaked.push(`${who}: ${n.message}`));
        try {
          await c.query(`CREATE FUNCTION pg_temp.leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
                       $$ BEGIN RAISE NOTICE 'saw %', $1; RETURN true; END $$`);
          if (who === 'analyst') {
            // Analysts read no rows about people at all, not even ids (0026).
            await expect(c.query(`SELECT id FROM ims.person WHERE pg_temp.leak(id::text)`)).rejects.toMatchObject({ code: '42501' });
          } else {
            await c.query(`SELECT id FROM ims.person WHERE pg_temp.leak(id::text || ' ' || id)`);
          }
          if (who === 'stranger') {
            await expect(c.query(`SELECT id FROM ims.person WHERE pg_temp.leak(nhs_number || family_name)`)).rejects.toMatchObject({
              code: '42501',
            });
          }
          await c.query(`SELECT id FROM audit.record_view WHERE pg_temp.leak(person_id::text || purpose)`).catch(() => {});
        } finally {
          await c.end();
        }
      }
      // Amy (1) is in every scoped user's sight; nobody sees Cat (2) or her views.
      expect(leaked.filter((l) => !/saw 1 1$/.test(l))).toEqual([]);
      expect(leaked).toContain(`coordinator: saw 1 1`);
    });

    it('lets nobody forge, change or remove audit rows', async () => {
      for (const table of ['audit.change_log', 'audit.record_view']) {
        await refused(ROLES, `INSERT INTO ${table} (person_id) VALUES (2)`, '42501');
        await refused(ROLES, `UPDATE ${table} SET actor = 'someone else'`, '42501');
        await refused(ROLES, `DELETE FROM ${table}`, '42501');
        await refused(ROLES, `TRUNCATE ${table}`, '42501');
      }
      await refused(ROLES, `SELECT ims.audited_read(2, 'forged')`, '42501');
      await refused(ROLES, `SELECT ims.audited_read(1, 'forged')`, '42501');
      await refused(ROLES, `SET ims.bulk_load_reason = 'hide this'; SET session_replication_role = replica`, '42501');
    });

    it('lets nobody disable, drop, replace or add triggers and policies', async () => {
      const { rows } = await db.query<{ tgname: string }>(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = 'ims.vaccination_event'::regclass AND NOT tgisinternal ORDER BY tgname LIMIT 1`,
      );
      const trigger = rows[0]!.tgname;
      const attempts = [
        `ALTER TABLE ims.vaccination_event DISABLE TRIGGER ALL`,
        `ALTER TABLE ims.vaccination_event DISABLE TRIGGER USER`,
        `ALTER TABLE ims.vaccination_event DISABLE TRIGGER ${trigger}`,
        `DROP TRIGGER ${trigger} ON ims.vaccination_event`,
        `ALTER TABLE audit.change_log DISABLE TRIGGER ALL`,
        `ALTER TABLE ims.person DISABLE TRIGGER ALL`,
        `CREATE TRIGGER attack BEFORE INSERT ON ims.person FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`,
        `CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
        `CREATE EVENT TRIGGER attack ON ddl_command_start EXECUTE FUNCTION audit.refuse_change()`,
        `ALTER TABLE ims.person DISABLE ROW LEVEL SECURITY`,
        `DROP POLICY person_in_scope ON ims.person`,
        `ALTER POLICY person_in_scope ON ims.person USING (true)`,
        `CREATE POLICY attack ON ims.person USING (true)`,
        `CREATE OR REPLACE FUNCTION ims.is_admin() RETURNS boolean LANGUAGE sql AS 'SELECT true'`,
        `ALTER FUNCTION ims.is_admin() OWNER TO CURRENT_USER`,
        `ALTER TABLE ims.person OWNER TO CURRENT_USER`,
        `ALTER SCHEMA ims OWNER TO CURRENT_USER`,
        `SET session_replication_role = replica`,
      ];
      for (const sql of attempts) await refused(ROLES, sql, '42501');
    });

    it('lets nobody take another role, make one, or read a file on the server', async () => {
      const owner = (await db.query<{ o: string }>(`SELECT nspowner::regrole::text AS o FROM pg_namespace WHERE nspname = 'ims'`)).rows[0]!
        .o;
      const attempts: Array<string | ((me: string) => string)> = [
        `SET ROLE ${owner}`,
        `SET SESSION AUTHORIZATION ${owner}`,
        (me) => `SET ROLE ${me === names.admin ? names.coordinator : names.admin}`,
        (me) => `GRANT ims_administrator TO ${me}`,
        (me) => `GRANT pg_read_server_files TO ${me}`,
        (me) => `GRANT pg_write_server_files TO ${me}`,
        (me) => `GRANT pg_execute_server_program TO ${me}`,
        (me) => `GRANT ALL ON ims.clinical_flag TO ${me}`,
        `CREATE ROLE attack_role`,
        `CREATE ROLE attack_login LOGIN SUPERUSER PASSWORD 'attack-password'`,
        (me) => `ALTER ROLE ${me} SUPERUSER`,
        (me) => `ALTER ROLE ${me} BYPASSRLS`,
        (me) => `ALTER ROLE ${me} CREATEROLE`,
        (me) => `ALTER ROLE ${me} CREATEDB`,
        (me) => `ALTER ROLE ${me === names.admin ? names.coordinator : names.admin} PASSWORD 'taken-over-password'`,
        (me) => `DROP ROLE ${me === names.admin ? names.coordinator : names.admin}`,
        `ALTER DATABASE ${db.name} OWNER TO CURRENT_USER`,
        `CREATE EXTENSION IF NOT EXISTS dblink`,
        `SELECT pg_read_file('/etc/passwd')`,
        `SELECT pg_read_binary_file('/etc/passwd')`,
        `SELECT pg_ls_dir('.')`,
        `SELECT pg_stat_file('postgresql.conf')`,
        `SELECT lo_import('/etc/passwd')`,
      ];
      for (const sql of attempts) await refused(ROLES, sql, '42501');
      // The groups below administrator cannot even take the administrators' group.
      await refused(['coordinator', 'childHealth', 'occupationalHealth', 'analyst'], `SET ROLE ims_administrator`, '42501');
      // Taking one's own group changes nobody's rights: every check asks who signed in.
      await findsNothing(['stranger'], `SET ROLE ims_administrator; SELECT count(*)::int AS n FROM ims.person`);
      await findsNothing(['coordinator'], `SET ROLE ims_coordinator; SELECT count(*)::int AS n FROM api.person_flags(2, 'curious')`);
    });

    it('shows nobody a password verifier', async () => {
      await refused(ROLES, `SELECT rolname, rolpassword FROM pg_authid`, '42501');
      await refused(ROLES, `SELECT usename, passwd FROM pg_shadow`, '42501');
      for (const who of ROLES) {
        const hidden = await run(sessions[who], `SELECT DISTINCT coalesce(rolpassword, '********') AS p FROM pg_roles`);
        expect(hidden.rows, who).toEqual([{ p: '********' }]);
        const users = await run(sessions[who], `SELECT DISTINCT coalesce(passwd, '********') AS p FROM pg_user`);
        expect(users.rows, who).toEqual([{ p: '********' }]);
      }
    });

    it('gives temporary tables and functions that shadow the schema’s names nothing to catch', async () => {
      for (const who of ROLES) {
        const c = await connect(who);
        try {
          // A scope of the whole region and an administrator's flag, where an unqualified name would look first.
          await c.query(`
          CREATE TEMP TABLE app_user (role_name text, disabled_at timestamptz, display_name text);
          INSERT INTO app_user VALUES (session_user, NULL, 'Shadow');
          CREATE TEMP TABLE user_scope (role_name text, org_code text);
          INSERT INTO user_scope VALUES (session_user, 'Y59'), (session_user, 'G82002');
          CREATE TEMP TABLE person AS SELECT 2::bigint AS id, 'G82001'::text AS practice_code, NULL::text AS la_code;
          CREATE TEMP TABLE record_view (id bigint, at timestamptz, actor text, person_id bigint, purpose text);
          CREATE FUNCTION pg_temp.is_admin() RETURNS boolean LANGUAGE sql AS 'SELECT true';
          CREATE FUNCTION pg_temp.is_registered_user() RETURNS boolean LANGUAGE sql AS 'SELECT true';
          CREATE FUNCTION pg_temp.person_in_scope(bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
          SET search_path = pg_temp, ims, api, audit, public`);
          const before = await fingerprint(db, Object.values(names));
          const probe = async (sql: string) => (await c.query(sql)).rows[0] as Record<string, unknown>;
          const admin = who === 'admin';
          if (who === 'analyst') {
            // No person function is theirs to call (0026), shadowed names or not.
            for (const sql of [`SELECT api.person_record(2, 'shadow')`, `SELECT count(*) FROM api.person_flags(2, 'shadow')`]) {
              await expect(c.query(sql), sql).rejects.toMatchObject({ code: '42501' });
            }
            expect(await probe(`SELECT ims.person_in_scope(2) AS s`), who).toEqual({ s: false });
            continue;
          }
          expect(await probe(`SELECT ims.is_admin() AS a, ims.person_in_scope(2) AS s`), who).toEqual({ a: admin, s: admin });
          expect(await probe(`SELECT api.person_record(2, 'shadow') IS NOT NULL AS r`), who).toEqual({ r: admin });
          expect(await probe(`SELECT count(*)::int AS n FROM api.person_flags(2, 'shadow')`), who).toEqual({ n: admin ? 1 : 0 });
          expect(
            await probe(`SELECT count(*)::int AS n FROM api.person_search('{"kind":"name","surname":"Outside","givenName":null}', 50, 0)`),
            who,
          ).toEqual({ n: admin ? 1 : 0 });
          // What changed is the administrator's audited reads, and nothing else.
          expect(changedParts(before, await fingerprint(db, Object.values(names))), who).toEqual(admin ? ['audit.record_view'] : []);
        } finally {
          await c.end();
        }
      }
    });

    /** A plan as EXPLAIN ANALYZE shows it, without the figures that vary from run to run. */
    async function plan(who: Who, sql: string): Promise<string> {
      // As on a large table, where the caller's conditions reach an index before any policy.
      const outcome = await run(
        sessions[who],
        `SET enable_seqscan = off; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ${sql}`,
      );
      return outcome.error ? `refused ${outcome.error.code}` : outcome.rows.map((r) => r['QUERY PLAN']).join('\n');
    }

    /** Whether the plan of a probe for a hidden row reads exactly as that of a probe for an absent one. */
    async function samePlans(who: Who, sql: (value: string) => string, present: string, absent: string): Promise<boolean> {
      return (await plan(who, sql(present))).replaceAll(present, absent) === (await plan(who, sql(absent)));
    }

    it('lets EXPLAIN count nothing the policies hide', async () => {
      for (const table of CLINICAL) {
        await refused(ROLES, `EXPLAIN SELECT * FROM ${table} WHERE person_id = 2`, '42501');
        await refused(ROLES, `EXPLAIN ANALYZE SELECT * FROM ${table} WHERE person_id = 2`, '42501');
      }
      await refused(
        ['coordinator', 'childHealth', 'occupationalHealth', 'analyst'],
        `EXPLAIN SELECT id FROM ims.person WHERE nhs_number = '${nhs(2)}'`,
        '42501',
      );
      // The stranger holds the administrators' grants; since 0027 those give no column of the
      // register but the id, so no probe for Cat's NHS number, name or birth date can run.
      for (const [sql, present, absent] of [
        [(v: string) => `SELECT id FROM ims.person WHERE nhs_number = '${v}'`, nhs(2), nhs(40)],
        [(v: string) => `SELECT id FROM ims.person WHERE family_name_key = '${v}'`, 'outside', 'nobody'],
        [(v: string) => `SELECT id FROM ims.person WHERE date_of_birth = '${v}'`, '1990-03-03', '1991-03-03'],
      ] as const) {
        expect(await plan('stranger', sql(present)), sql(present)).toBe('refused 42501');
        expect(await plan('stranger', sql(absent)), sql(absent)).toBe('refused 42501');
      }
      // Who opened which record, and who holds which scope, are read through functions too
      // (0027): no plan of the tables. The directory of names asks this database first.
      for (const who of ROLES) {
        for (const sql of [
          `SELECT 1 FROM ims.user_scope WHERE role_name = '${names.analyst}' AND org_code = 'G82001'`,
          `SELECT 1 FROM ims.app_user WHERE role_name = '${names.analyst}' AND disabled_at IS NULL`,
        ]) {
          expect(await plan(who, sql), `${who}: ${sql}`).toBe('refused 42501');
        }
      }
      expect(
        await samePlans('stranger', (v) => `SELECT 1 FROM ims.user_directory WHERE role_name = '${v}'`, names.analyst, 'nobody_here'),
      ).toBe(true);
      for (const who of ROLES) {
        expect(await plan(who, `SELECT id FROM audit.record_view WHERE person_id = 2 AND purpose = 'print'`), who).toBe('refused 42501');
      }
    });

    // Tables still read directly, where EXPLAIN ANALYZE shows whether a row the caller may not
    // see matched their conditions: about person ids (which name nobody) and about colleagues.
    // The stranger can no longer connect (0030, the test at the top), so these leaks remain only
    // in this misconfiguration, with the database left open to PUBLIC. Kept as it.fails to
    // document them: the policies alone do not close them. Make them it() if that ever changes.
    it.fails(
      'open only if a DBA left the door open: changes to a person id, counted by EXPLAIN as an administrator of another database',
      async () => {
        const sql = (v: string) => `SELECT id FROM audit.change_log WHERE table_name = 'ims.person' AND row_id = '${v}'`;
        expect(await samePlans('stranger', sql, '2', '99')).toBe(true);
      },
    );

    it.fails(
      'open only if a DBA left the door open: reference data and batches, counted by EXPLAIN as an administrator of another database',
      async () => {
        expect(await samePlans('stranger', (v) => `SELECT 1 FROM ims.organisation WHERE code = '${v}'`, 'G82002', 'X99999')).toBe(true);
      },
    );

    it('lets no group plan a query of the schedule status (finding 9, 0025)', async () => {
      await db.query(
        `INSERT INTO ims.series_status (person_id, series_id, series_name, status, computed_on, rules_version)
       VALUES (2, 'MMR', 'MMR', 'OVERDUE', '2026-01-01', 'test') ON CONFLICT DO NOTHING`,
      );
      for (const who of ROLES) {
        expect(await plan(who, `SELECT 1 FROM ims.series_status WHERE person_id = 2 AND status = 'OVERDUE'`), who).toBe('refused 42501');
      }
    });
  });
});

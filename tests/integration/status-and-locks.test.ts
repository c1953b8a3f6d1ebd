// The schedule status machinery against hostile users (issue 7, findings 8 and 9, and the
// atomic population refresh): scoped login roles with plain SQL hold the advisory-lock keys the
// application used to use, try to take the locks it uses now, and try to write, delete and read
// status rows and the record-view audit directly; and a refresh interrupted at any point leaves
// the old status, the queue and the schema as they were.
import { Command } from 'commander';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import type { VaccinationEvent } from '../../main-api/contract/vaccination';
import { loadPersonForecastInput } from '../../main-api/forecast';
import { userHandlers } from '../../main-api/host/host';
import { migrate } from '../../main-api/platform/db/migrator';
import { migrationsDir } from '../../main-api/platform/paths';
import { forecast, scheduleRules } from '../../main-api/schedule';
import { registerDemoCommands } from '../../main-api/cli/commands/demo';
import { FAR_BEHIND, refreshAllStatuses } from '../../main-api/schedule-status/refresh-all';
import { statusRows, type StatusRow } from '../../main-api/schedule-status/schedule-status.service';
import { drainBatch, inTransaction } from '../../main-api/schedule-status/status-queue.service';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { uniqueName, type TestDatabase } from '../support/db';
import {
  addPerson,
  call,
  connectAs,
  dropRoles,
  nhsSequence,
  twoPracticeDatabase,
  value,
  withClient,
  type UserConnections,
} from '../support/fixtures';
import { givenHereInput } from '../support/vaccination-event';

const ON = '2026-02-01';
const PASSWORD = 'status-and-locks-password';
const nhs = nhsSequence(999_800_000, 29);
type Who = 'nurse' | 'coordinator' | 'analyst';

/** Fails instead of hanging when something is blocked. */
async function within<T>(work: Promise<T>, label: string, ms = 30_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const blocked = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} was blocked for ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, blocked]);
  } finally {
    clearTimeout(timer);
  }
}

describe('schedule status and locks (issue 7, findings 8 and 9)', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const rules = scheduleRules();
  const names = {} as Record<Who, string>;
  const sessions = {} as Record<Who, pg.Client>;
  const sources = {} as Record<Who, DataSource>;
  let alpha: number; // G82001: in the nurse's and the coordinator's scope
  let beta: number; // G82002: outside both
  let gamma: number; // G82001, like alpha

  /** The SQLSTATE a statement fails with inside a transaction (rolled back), or null. */
  async function refusal(who: Who, sql: string, params: unknown[] = []): Promise<string | null> {
    const c = sessions[who];
    await c.query('BEGIN');
    try {
      await c.query(sql, params);
      return null;
    } catch (error) {
      return (error as { code: string }).code;
    } finally {
      await c.query('ROLLBACK');
    }
  }

  const queue = async (): Promise<unknown[]> =>
    (
      await db.query(
        `SELECT person_id::int AS id, noted_by::text, kept_for_catch_up AS kept, claimed_by::text FROM ims.series_status_stale ORDER BY 1`,
      )
    ).rows;
  const allStatus = async (): Promise<unknown[]> => (await db.query(`SELECT * FROM ims.series_status ORDER BY person_id, series_id`)).rows;
  const partitions = async (): Promise<string[]> =>
    (
      await db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ims.series_status'::regclass`,
      )
    ).rows.map((r) => r.name);
  const strayTables = async (): Promise<string[]> =>
    (
      await db.query<{ name: string }>(
        `SELECT relname AS name FROM pg_class WHERE relname LIKE 'series\\_status\\_g%' AND relkind = 'r' AND NOT relispartition`,
      )
    ).rows.map((r) => r.name);

  async function expected(personId: number): Promise<StatusRow[]> {
    const input = await withClient(db.url, (c) => loadPersonForecastInput(c, personId, 'forecast'));
    return input ? statusRows(rules, forecast(rules, input.person, input.events, ON, { explain: false })) : [];
  }
  const stored = async (personId: number): Promise<Record<string, string>> =>
    Object.fromEntries(
      (
        await db.query<{ series_id: string; status: string }>(`SELECT series_id, status FROM ims.series_status WHERE person_id = $1`, [
          personId,
        ])
      ).rows.map((r) => [r.series_id, r.status]),
    );
  const dose = (personId: number, on: string): Promise<unknown> =>
    db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', $2, $3, false)`,
      [personId, on, PRODUCT.INFANRIX_HEXA],
    );

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    alpha = await addPerson(db, {
      nhsNumber: nhs(1),
      givenName: 'Alpha',
      familyName: 'Locks',
      dateOfBirth: '2025-01-10',
      practiceCode: 'G82001',
    });
    beta = await addPerson(db, {
      nhsNumber: nhs(2),
      givenName: 'Beta',
      familyName: 'Locks',
      dateOfBirth: '2025-02-10',
      practiceCode: 'G82002',
    });
    gamma = await addPerson(db, {
      nhsNumber: nhs(3),
      givenName: 'Gamma',
      familyName: 'Locks',
      dateOfBirth: '2025-03-10',
      practiceCode: 'G82001',
    });
    await db.query(`INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'MMR001', '2030-01-31')`, [
      PRODUCT.PRIORIX,
    ]);
    for (const [who, role, orgs] of [
      ['nurse', 'child-health', ['G82001']],
      ['coordinator', 'coordinator', ['G82001']],
      ['analyst', 'analyst', ['QKS']],
    ] as const) {
      names[who] = uniqueName(`t_${who}`);
      const user = await addUser(db.url, { name: names[who], role, orgs: [...orgs], password: PASSWORD });
      sessions[who] = await connectAs(db.urlAs(names[who], PASSWORD));
      sources[who] = await connections.open(user);
    }
    await refreshAllStatuses(db.url, { asOf: ON, rules });
  });

  afterAll(async () => {
    await Promise.all(Object.values(sessions).map((c) => c.end().catch(() => {})));
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  describe('8: locks users cannot take', () => {
    it('the old advisory-lock keys, held by an analyst and a coordinator, block no recording, drain, refresh or migration', async () => {
      await sessions.analyst.query(`SELECT pg_advisory_lock(4716001), pg_advisory_lock(4716004), pg_advisory_lock(4716005)`);
      await sessions.coordinator.query(`SELECT pg_advisory_lock(4716002, $1::int), pg_advisory_lock(4716002, $2::int)`, [alpha, beta]);
      // Reading the ledger (as a signing-in user does) in a transaction left open holds nothing up either.
      await sessions.nurse.query(`BEGIN`);
      await sessions.nurse.query(`SELECT count(*) FROM ims_meta.schema_migration`);
      try {
        // Recording, and the drain after the call that brings the person's status up to date.
        const handlers = userHandlers(
          sources.nurse,
          () => {},
          () => ON,
        );
        const event = await within(
          value<VaccinationEvent>(call(handlers, 'vaccination.record', givenHereInput(alpha, PRODUCT.PRIORIX, 'MMR001', '2026-01-20'))),
          'recording',
        );
        expect(event.personId).toBe(alpha);
        expect(await queue()).toEqual([]);
        expect((await stored(alpha)).MMR).toBeDefined();
        expect(Object.keys(await stored(alpha)).sort()).toEqual((await expected(alpha)).map((r) => r.seriesId).sort());

        const report = await within(refreshAllStatuses(db.url, { asOf: ON, rules }), 'the population refresh');
        expect(report.persons).toBe(3);
        expect(await within(migrate(db.url, migrationsDir()), 'the migrations')).toMatchObject({ applied: [] });
      } finally {
        await sessions.analyst.query(`SELECT pg_advisory_unlock_all()`);
        await sessions.coordinator.query(`SELECT pg_advisory_unlock_all()`);
        await sessions.nurse.query(`ROLLBACK`);
      }
    });

    it('the locks in use now are refused to users: the refresh, the drain gate, the queue entries, the migration ledger', async () => {
      for (const who of ['coordinator', 'analyst', 'nurse'] as const) {
        for (const sql of [
          `LOCK TABLE ims.series_status_refresh_lock IN EXCLUSIVE MODE NOWAIT`,
          `LOCK TABLE ims.series_status_refresh_lock IN ACCESS SHARE MODE`,
          `LOCK TABLE ims.series_status_drain_gate IN ROW SHARE MODE`,
          `LOCK TABLE ims.series_status_drain_gate IN EXCLUSIVE MODE`,
          `SELECT * FROM ims.series_status_drain_gate`,
          // The per-person lock is the claim's lock on the person's queue entry.
          `SELECT 1 FROM ims.series_status_stale WHERE person_id = ${alpha} FOR UPDATE`,
          `SELECT 1 FROM ims.series_status_stale FOR KEY SHARE`,
          `LOCK TABLE ims.series_status_stale IN ROW SHARE MODE`,
          `LOCK TABLE ims.series_status IN ACCESS SHARE MODE`,
          `LOCK TABLE ims_meta.schema_migration IN EXCLUSIVE MODE`,
          `LOCK TABLE ims_meta.schema_migration IN ROW EXCLUSIVE MODE`,
          `SELECT 1 FROM ims_meta.schema_migration FOR UPDATE`,
        ]) {
          expect(await refusal(who, sql), `${who}: ${sql}`).toBe('42501');
        }
      }
    });

    it('a claim held open by a user delays others only within a timeout, and hides nothing', { timeout: 90_000 }, async () => {
      // Recording waits for a drain holding the person's entry; the wait is bounded.
      const config = await db.query(`SELECT proconfig FROM pg_proc WHERE oid = 'ims.series_status_note(bigint[])'::regprocedure`);
      expect(config.rows[0]!.proconfig).toContain('lock_timeout=30s');
      // Another drain skips the entry rather than waiting for it.
      await dose(alpha, '2025-03-10');
      await sessions.coordinator.query('BEGIN');
      try {
        const held = await sessions.coordinator.query(`SELECT id::int FROM ims.series_status_claim(10, true) AS id`);
        expect(held.rows).toEqual([{ id: alpha }]);
        const r = await within(drainBatch(inTransaction(sources.nurse), { newestFirst: true }, { asOf: ON, rules }), 'a drain');
        expect(r.persons).toBe(0);
        // Recording for that person waits for the claim, 30 seconds at most, then says so plainly.
        const handlers = userHandlers(
          sources.nurse,
          () => {},
          () => ON,
        );
        const started = Date.now();
        const recorded = await within(
          call(handlers, 'vaccination.record', givenHereInput(alpha, PRODUCT.PRIORIX, 'MMR001', '2026-01-25')),
          'recording',
          60_000,
        );
        expect(recorded).toMatchObject({
          ok: false,
          error: { code: 'CONFLICT', message: expect.stringMatching(/Someone else is changing/) },
        });
        expect(Date.now() - started).toBeGreaterThanOrEqual(29_000);
      } finally {
        await sessions.coordinator.query('ROLLBACK');
      }
      // A claim that is never written leaves the person queued.
      expect(await queue()).toMatchObject([{ id: alpha }]);
      expect(await drainBatch(inTransaction(sources.nurse), { newestFirst: true }, { asOf: ON, rules })).toMatchObject({ persons: 1 });
    });

    it('a refresh waits for a drain in progress, and drains that come later wait for it rather than starve it', async () => {
      await dose(alpha, '2025-03-20');
      await dose(gamma, '2025-05-20');
      const c = sessions.coordinator;
      await c.query('BEGIN');
      let refresh: Promise<unknown> | undefined;
      try {
        expect((await c.query(`SELECT id::int FROM ims.series_status_claim(1, true) AS id`)).rows).toEqual([{ id: gamma }]);
        refresh = refreshAllStatuses(db.url, { asOf: ON, rules });
        await expect
          .poll(
            async () =>
              (
                await db.query(
                  `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'ims.series_status_drain_gate'::regclass AND NOT granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
                )
              ).rows[0]!.n,
            { timeout: 10_000 },
          )
          .toBe(1);
        // The gate's queue is fair: this drain does not get in ahead of the waiting refresh (it
        // would have claimed alpha), and it does not wait either.
        const later = await within(drainBatch(inTransaction(sources.nurse), { newestFirst: true }, { asOf: ON, rules }), 'a drain');
        expect(later.persons).toBe(0);
      } finally {
        await c.query('ROLLBACK');
      }
      await within(refresh!, 'the refresh');
      expect(await queue()).toEqual([]);
      for (const id of [alpha, gamma]) {
        expect(Object.keys(await stored(id)).sort()).toEqual((await expected(id)).map((r) => r.seriesId).sort());
      }
    });
  });

  describe('9: status rows only through the audited drain', () => {
    it('refuses direct reads and writes of the status rows and reads of the record-view audit', async () => {
      for (const who of ['coordinator', 'analyst', 'nurse'] as const) {
        for (const sql of [
          `SELECT count(*) FROM ims.series_status`,
          `UPDATE ims.series_status SET status = 'COMPLETE'`,
          `DELETE FROM ims.series_status`,
          `INSERT INTO ims.series_status (person_id, series_id, series_name, status, computed_on, rules_version)
           VALUES (${alpha}, 'MMR', 'MMR', 'COMPLETE', '${ON}', 'x')`,
          `TRUNCATE ims.series_status`,
          `COPY ims.series_status TO STDOUT`,
          `SELECT count(*) FROM audit.record_view`,
          `SELECT count(*) FROM audit.record_view WHERE person_id = ${alpha}`,
        ]) {
          expect(await refusal(who, sql), `${who}: ${sql}`).toBe('42501');
        }
      }
      expect(await refusal('analyst', `SELECT api.write_schedule_status(ARRAY[${alpha}]::bigint[], '[]', '${ON}')`)).toBe('42501');
    });

    it('the drain still works as a user, and each person it writes leaves an audit row with what was written', async () => {
      await dose(alpha, '2025-04-10');
      const before = (await db.query(`SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.series_status'`)).rows[0]!.n;
      expect(await drainBatch(inTransaction(sources.nurse), { newestFirst: true }, { asOf: ON, rules })).toMatchObject({
        persons: 1,
        failed: [],
      });
      expect(Object.keys(await stored(alpha)).sort()).toEqual((await expected(alpha)).map((r) => r.seriesId).sort());
      const log = await db.query(
        `SELECT actor, person_id::int AS person, operation, new_row FROM audit.change_log
         WHERE table_name = 'ims.series_status' ORDER BY id DESC LIMIT 1`,
      );
      expect(log.rows[0]).toMatchObject({ actor: names.nurse, person: alpha, operation: 'UPDATE' });
      expect(log.rows[0]!.new_row.computed_on).toBe(ON);
      expect(log.rows[0]!.new_row.rows).toHaveLength((await expected(alpha)).length);
      const after = (await db.query(`SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.series_status'`)).rows[0]!.n;
      expect(after).toBe(before + 1);
    });

    it('refuses a write for a person not claimed in this transaction, out of scope, or claimed by someone else', async () => {
      const write = (ids: number[], rows: unknown[]) =>
        `SELECT api.write_schedule_status(ARRAY[${ids.join(',')}]::bigint[], '${JSON.stringify(rows)}'::jsonb, '${ON}')`;
      const row = (personId: number) => ({
        person_id: personId,
        series_id: 'MMR',
        kind: 'SERIES',
        series_name: 'MMR',
        status: 'COMPLETE',
        rules_version: 'forged',
      });
      const c = sessions.coordinator;
      // Not queued, not claimed.
      expect(await refusal('coordinator', write([alpha], [row(alpha)]))).toBe('42501');
      await db.query(`SELECT ims.series_status_note(ARRAY[$1, $2]::bigint[])`, [alpha, beta]);
      // The claim gives the coordinator only the person in scope; beta cannot be written.
      await c.query('BEGIN');
      try {
        const claimed = await c.query(`SELECT id::int FROM ims.series_status_claim(10, true) AS id`);
        expect(claimed.rows).toEqual([{ id: alpha }]);
        await c.query('SAVEPOINT s');
        await expect(c.query(write([beta], [row(beta)]))).rejects.toMatchObject({
          code: '42501',
          message: expect.stringMatching(/claimed/),
        });
        await c.query('ROLLBACK TO SAVEPOINT s');
        // Nor a row about beta slipped in with alpha.
        await expect(c.query(write([alpha], [row(alpha), row(beta)]))).rejects.toMatchObject({ code: '42501' });
        await c.query('ROLLBACK TO SAVEPOINT s');
        // Someone else (the nurse, same scope) cannot write the person this session claimed.
        expect(await refusal('nurse', write([alpha], [row(alpha)]))).toBe('42501');
      } finally {
        await c.query('ROLLBACK');
      }
      // What a user claims they may write, engine or not; but it is on the record.
      await c.query('BEGIN');
      await c.query(`SELECT id FROM ims.series_status_claim(10, true) AS id`);
      await c.query(write([alpha], [row(alpha)]));
      await c.query('COMMIT');
      expect(await stored(alpha)).toEqual({ MMR: 'COMPLETE' });
      const log = await db.query(
        `SELECT actor, new_row FROM audit.change_log WHERE table_name = 'ims.series_status' AND person_id = $1 ORDER BY id DESC LIMIT 1`,
        [alpha],
      );
      expect(log.rows[0]).toMatchObject({ actor: names.coordinator, new_row: { rows: [{ status: 'COMPLETE', rules_version: 'forged' }] } });
      // Beta stays queued for someone who can see them.
      expect(await queue()).toMatchObject([{ id: beta }]);
      await db.query(`DELETE FROM ims.series_status_stale`);
    });
  });

  describe('the population refresh replaces the status atomically', () => {
    it('an interrupted refresh leaves the old status, the queue and the schema as they were', async () => {
      await refreshAllStatuses(db.url, { asOf: ON, rules });
      await dose(alpha, '2025-05-10');
      const before = { status: await allStatus(), queue: await queue(), partitions: await partitions() };
      expect(before.queue).toMatchObject([{ id: alpha }]);
      expect(before.status.length).toBeGreaterThan(0);
      const unchanged = async () => {
        expect(await allStatus()).toEqual(before.status);
        expect(await queue()).toEqual(before.queue);
        expect(await partitions()).toEqual(before.partitions);
        expect(await strayTables()).toEqual([]);
      };

      // The process is killed, or its connection cut, while it reads.
      const killed = refreshAllStatuses(db.url, {
        asOf: ON,
        rules,
        afterSnapshot: async () => {
          await db.query(
            `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE relation = 'ims.series_status_refresh_lock'::regclass AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          );
        },
      });
      await expect(killed).rejects.toThrow();
      await unchanged();

      // It fails just before the swap, with the new table built and indexed and the covered
      // entries cleared in its transaction.
      const phases: string[] = [];
      const failed = refreshAllStatuses(db.url, {
        asOf: ON,
        rules,
        onProgress: (p) => {
          phases.push(p.phase);
          if (p.phase === 'swapping') throw new Error('stopped at the swap');
        },
      });
      await expect(failed).rejects.toThrow('stopped at the swap');
      expect(phases).toContain('indexing');
      await unchanged();

      // Drains go on as if nothing had happened (no refresh holds them), and so do refreshes.
      expect(await drainBatch(inTransaction(sources.nurse), { newestFirst: true }, { asOf: ON, rules })).toMatchObject({ persons: 1 });
      expect(await queue()).toEqual([]);
      const report = await refreshAllStatuses(db.url, { asOf: ON, rules });
      expect(report.persons).toBe(3);
      expect(await strayTables()).toEqual([]);
    });

    it('`ims demo` on a register already loaded, with everyone still queued, brings the status up to date', async () => {
      // As an interrupted `ims demo` leaves it: the register loaded, its refresh never done.
      await db.query(`DELETE FROM ims.series_status`);
      await db.query(`SELECT ims.series_status_note(ARRAY(SELECT id FROM ims.person))`);
      await db.query(`SELECT ims.series_status_note(ARRAY(SELECT generate_series(900000001, 900000000 + $1::int)::bigint))`, [FAR_BEHIND]);
      const out: string[] = [];
      const program = new Command('ims').exitOverride();
      registerDemoCommands(program, {
        ownerUrl: async () => db.url,
        target: { kind: 'server', url: db.url },
        print: (t) => out.push(t),
        close: async () => {},
      });
      await expect(program.parseAsync(['demo', '--persons', '10'], { from: 'user' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(out.join('\n')).toMatch(/schedule status was behind .* 3 people assessed/);
      expect(await queue()).toEqual([]);
      for (const id of [alpha, beta, gamma]) {
        expect(Object.keys(await stored(id)).sort()).toEqual((await expected(id)).map((r) => r.seriesId).sort());
      }
    });
  });
});

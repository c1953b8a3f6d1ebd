// The status queue against the real database: every writer's change is noted by the database
// (plain SQL as the owner, application users through the API), drains recompute those persons
// as scoped login roles, the population refresh clears what it covered and catches up the
// rest, and users cannot reach the queue except through the claim.
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../shared/vocabulary/products';
import { addUser } from '../administration/users.service';
import type { VaccinationEvent } from '../contract/vaccination';
import { loadPersonForecastInput } from '../forecast';
import { userHandlers } from '../host/host';
import { openDataSource } from '../platform/db/datasource';
import { forecast, scheduleRules } from '../schedule';
import { loadDemoRegion } from '../demo';
import { refreshAllStatuses } from './refresh-all';
import { statusRows, type StatusRow } from './schedule-status.service';
import { drainBatch, drainStatusQueue, inTransaction, register, type InTransaction } from './status-queue.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, call, nhsSequence, twoPracticeDatabase, value, withClient } from '../../tests/support/fixtures';
import type { LoginUser, UserConnections } from '../../tests/support/fixtures';
import { givenHereInput } from '../../tests/support/vaccination-event';

const ON = '2026-02-01';

const nhs = nhsSequence(999_400_000, 19);

interface StoredRow {
  series_id: string;
  kind: string;
  series_name: string;
  status: string;
  next_dose: number | null;
  due_date: string | null;
  overdue_from: string | null;
  latest_date: string | null;
  rules_version: string;
}

const bySeries = (a: StatusRow, b: StatusRow): number => a.seriesId.localeCompare(b.seriesId);

describe('schedule status queue', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let owner: DataSource;
  const users: Record<string, LoginUser> = {};
  const ds: Record<string, DataSource> = {};
  const rules = scheduleRules();
  let alpha: number; // G82001, born 2025-03-01
  let beta: number; // G82002, born 2024-06-15: outside the nurse's scope
  let carer: number; // G82001, born 1975-06-01: flu only with a risk-group flag
  let kids: number[]; // G82001, born 2023: for batches and concurrency

  const ownerSql = (sql: string, params: unknown[] = []): Promise<pg.QueryResult> => db.query(sql, params);
  const dose = (personId: number, on: string, product: string): Promise<pg.QueryResult> =>
    ownerSql(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', $2, $3, false)`,
      [personId, on, product],
    );
  const flag = (personId: number, code: string): Promise<pg.QueryResult> =>
    ownerSql(`INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, source) VALUES ($1, $2, '2020-01-01', 'GP record')`, [
      personId,
      code,
    ]);

  async function queued(): Promise<number[]> {
    const r = await ownerSql(`SELECT person_id FROM ims.series_status_stale ORDER BY person_id`);
    return r.rows.map((x: { person_id: string | number }) => Number(x.person_id));
  }

  async function stored(personId: number): Promise<StatusRow[]> {
    const r = await ownerSql(
      `SELECT series_id, kind, series_name, status, next_dose, due_date::text, overdue_from::text, latest_date::text, rules_version
       FROM ims.series_status WHERE person_id = $1`,
      [personId],
    );
    return (r.rows as StoredRow[])
      .map((x) => ({
        seriesId: x.series_id,
        kind: x.kind as StatusRow['kind'],
        name: x.series_name,
        status: x.status,
        nextDose: x.next_dose,
        dueDate: x.due_date,
        overdueFrom: x.overdue_from,
        latestDate: x.latest_date,
        rulesVersion: x.rules_version,
      }))
      .sort(bySeries);
  }

  /** What the engine makes of the person's record as it now stands. */
  async function expected(personId: number, asOf = ON): Promise<StatusRow[]> {
    const input = await withClient(db.url, (c) => loadPersonForecastInput(c, personId, 'forecast'));
    if (!input) return [];
    return statusRows(rules, forecast(rules, input.person, input.events, asOf, { explain: false })).sort(bySeries);
  }

  const drainAs = (user: string, batchSize?: number) =>
    drainBatch(inTransaction(ds[user]!), { newestFirst: true }, { asOf: ON, rules, batchSize });

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    const person = (n: number, givenName: string, dateOfBirth: string, practiceCode: string): Promise<number> =>
      addPerson(db, { nhsNumber: nhs(n), givenName, familyName: 'Queue', dateOfBirth, practiceCode });
    alpha = await person(1, 'Alpha', '2025-03-01', 'G82001');
    beta = await person(2, 'Beta', '2024-06-15', 'G82002');
    carer = await person(3, 'Carer', '1975-06-01', 'G82001');
    kids = [];
    for (let i = 0; i < 6; i++) kids.push(await person(10 + i, `Kid${i}`, `2023-0${i + 1}-10`, 'G82001'));

    for (const [name, role, orgs] of [
      ['nurse', 'child-health', ['G82001']],
      ['other', 'coordinator', ['G82002']],
      ['analyst', 'analyst', ['Y59']],
    ] as const) {
      users[name] = await addUser(db.url, { name: uniqueName(name), role, orgs: [...orgs] });
      ds[name] = await connections.open(users[name]);
    }
    ds.nurse2 = await connections.open(users.nurse!);
    owner = await openDataSource(db.url, 'IMS test owner');
    // Everyone registered above was noted; start each test from an empty queue.
    await drainStatusQueue(inTransaction(owner), { asOf: ON, rules });
  });

  afterAll(async () => {
    await owner?.destroy();
    await connections.closeAll();
    await db.drop();
  });

  it('notes a vaccination inserted by plain SQL as the owner, and the next drain recomputes that person', async () => {
    expect(await queued()).toEqual([]);
    const before = await stored(alpha);
    expect(before).toEqual(await expected(alpha));
    await dose(alpha, '2025-05-01', PRODUCT.INFANRIX_HEXA);
    expect(await queued()).toEqual([alpha]);
    // The dose matters: the stored status is now out of date until the drain.
    expect(await expected(alpha)).not.toEqual(before);
    expect(await stored(alpha)).toEqual(before);

    const r = await drainAs('nurse');
    expect(r).toEqual({ persons: 1, lastId: alpha, failed: [] });
    expect(await stored(alpha)).toEqual(await expected(alpha));
    expect((await stored(alpha)).find((s) => s.seriesId === 'SIX-IN-1')).toMatchObject({ nextDose: 2 });
    expect(await queued()).toEqual([]);
  });

  it('notes a clinical flag added by plain SQL; the background job recomputes the person', async () => {
    expect((await stored(carer)).some((s) => s.seriesId === 'FLU_2025_26')).toBe(false);
    await flag(carer, 'CHRONIC_HEART');
    expect(await queued()).toEqual([carer]);
    const logged: string[] = [];
    const status = register({ ds: ds.nurse!, log: (m) => logged.push(m), today: () => ON });
    expect(status.jobs.map((j) => j.everyMs)).toEqual([30_000]);
    await status.jobs[0]!.run();
    expect(logged).toEqual([]);
    expect(await stored(carer)).toEqual(await expected(carer));
    expect((await stored(carer)).find((s) => s.seriesId === 'FLU_2025_26')).toMatchObject({ status: 'DUE' });
    expect(await queued()).toEqual([]);
  });

  it('notes staff records, the person fields the engine and cohorts read, and removed persons; not names', async () => {
    await ownerSql(
      `INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES ($1, 'G82001', 'NURSING', true, '2024-01-01')`,
      [kids[0]],
    );
    expect(await queued()).toEqual([kids[0]]);
    await ownerSql(`UPDATE ims.person SET given_name = 'Kid', family_name = 'Renamed' WHERE id = $1`, [kids[1]]);
    expect(await queued()).toEqual([kids[0]]);
    // Where someone lives is a cohort's business (0031): their cohort facts follow the queue.
    await ownerSql(`UPDATE ims.person SET postcode = 'ME14 1AA' WHERE id = $1`, [kids[2]]);
    expect(await queued()).toEqual([kids[0], kids[2]]);
    await drainStatusQueue(inTransaction(owner), { asOf: ON, rules });
    expect(await queued()).toEqual([]);
    await ownerSql(`UPDATE ims.person SET date_of_birth = '2023-02-11' WHERE id = $1`, [kids[1]]);
    expect(await queued()).toEqual([kids[1]]);
    await drainStatusQueue(inTransaction(owner), { asOf: ON, rules });
    expect(await stored(kids[1]!)).toEqual(await expected(kids[1]!));

    // A removed person's rows go with the owner's drain.
    const gone = await addPerson(db, {
      nhsNumber: nhs(40),
      givenName: 'Gone',
      familyName: 'Queue',
      dateOfBirth: '2024-01-01',
      practiceCode: 'G82001',
    });
    await drainStatusQueue(inTransaction(owner), { asOf: ON, rules });
    expect((await stored(gone)).length).toBeGreaterThan(0);
    await ownerSql(`DELETE FROM ims.person WHERE id = $1`, [gone]);
    expect(await queued()).toEqual([gone]);
    const report = await drainStatusQueue(inTransaction(owner), { asOf: ON, rules });
    expect(report).toMatchObject({ persons: 1, complete: true });
    expect(await stored(gone)).toEqual([]);
  });

  it('a user drains only persons they can see and may write for; the rest wait for someone who can', async () => {
    await dose(beta, '2024-08-15', PRODUCT.INFANRIX_HEXA);
    await flag(alpha, 'ASPLENIA');
    expect(await queued()).toEqual([alpha, beta]);
    expect(await drainAs('analyst')).toMatchObject({ persons: 0 });
    expect(await drainAs('nurse')).toMatchObject({ persons: 1, lastId: alpha });
    expect(await queued()).toEqual([beta]);
    expect(await drainAs('nurse')).toMatchObject({ persons: 0 });
    expect(await drainAs('other')).toMatchObject({ persons: 1, lastId: beta });
    expect(await stored(beta)).toEqual(await expected(beta));
    expect(await queued()).toEqual([]);
  });

  it('a change through the API is reflected as soon as the call returns', async () => {
    await ownerSql(`INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'MMR001', '2027-01-31')`, [
      PRODUCT.PRIORIX,
    ]);
    const logged: string[] = [];
    const handlers = userHandlers(
      ds.nurse!,
      (m) => logged.push(m),
      () => ON,
    );
    const event = await value<VaccinationEvent>(
      call(handlers, 'vaccination.record', givenHereInput(kids[2]!, PRODUCT.PRIORIX, 'MMR001', '2024-03-12')),
    );
    expect(await queued()).toEqual([]);
    expect(await stored(kids[2]!)).toEqual(await expected(kids[2]!));
    expect((await stored(kids[2]!)).find((s) => s.seriesId === 'MMR')).toMatchObject({ nextDose: 2 });

    await value(call(handlers, 'vaccination.markEnteredInError', { eventId: event.id, reason: 'Wrong child' }));
    expect(await queued()).toEqual([]);
    expect((await stored(kids[2]!)).find((s) => s.seriesId === 'MMR')).toMatchObject({ nextDose: 1, status: 'OVERDUE' });
    expect(logged).toEqual([]);
  });

  it('a drain that fails leaves its persons queued', async () => {
    await dose(kids[3]!, '2023-06-01', PRODUCT.INFANRIX_HEXA);
    const before = await stored(kids[3]!);
    const failing: InTransaction = (work) =>
      ds.nurse!.transaction(async (m) => {
        await work(m);
        throw new Error('connection lost before commit');
      });
    await expect(drainBatch(failing, { newestFirst: true }, { asOf: ON, rules })).rejects.toThrow('connection lost');
    expect(await queued()).toEqual([kids[3]]);
    expect(await stored(kids[3]!)).toEqual(before);
    await drainAs('nurse');
    expect(await stored(kids[3]!)).toEqual(await expected(kids[3]!));
  });

  it('concurrent drains take different persons', async () => {
    for (const k of kids) await flag(k, 'DIABETES');
    expect(await queued()).toEqual([...kids].sort((a, b) => a - b));
    const [a, b] = await Promise.all([
      drainBatch(inTransaction(ds.nurse!), { newestFirst: false, afterId: 0 }, { asOf: ON, rules, batchSize: 3 }),
      drainBatch(inTransaction(ds.nurse2!), { newestFirst: false, afterId: 0 }, { asOf: ON, rules, batchSize: 3 }),
    ]);
    expect(a.persons + b.persons).toBe(6);
    expect(await queued()).toEqual([]);
    for (const k of kids) expect(await stored(k)).toEqual(await expected(k));
  });

  it('users cannot read or change the queue, or note or hold anything themselves', async () => {
    await withClient(db.urlAs(users.nurse!.name, users.nurse!.password), async (c) => {
      for (const sql of [
        `SELECT * FROM ims.series_status_stale`,
        `INSERT INTO ims.series_status_stale (person_id) VALUES (${alpha})`,
        `UPDATE ims.series_status_stale SET kept_for_catch_up = true`,
        `DELETE FROM ims.series_status_stale`,
        `SELECT * FROM ims.series_status_refresh_hold`,
        `SELECT ims.series_status_note(ARRAY[${alpha}]::bigint[])`,
        `SELECT * FROM ims.series_status_stale FOR UPDATE`,
      ]) {
        await expect(c.query(sql), sql).rejects.toThrow(/permission denied/);
      }
      // The trigger functions run as the owner, so they must not be attachable elsewhere.
      await c.query(`CREATE TEMP TABLE mine (person_id bigint)`);
      await expect(
        c.query(`CREATE TRIGGER mine_note AFTER INSERT ON mine REFERENCING NEW TABLE AS new_rows
                 FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_rows()`),
      ).rejects.toThrow(/permission denied/);
      await expect(c.query(`SELECT * FROM ims.series_status_claim(0, true)`)).rejects.toThrow(/between 1 and 10000/);
    });
  });

  it('a population refresh clears what its snapshot covered and catches up what changed while it ran', async () => {
    expect(await queued()).toEqual([]);
    await flag(kids[4]!, 'ASPLENIA'); // a child: covered by the children's refresh
    await flag(carer, 'DIABETES'); // an adult, but already waiting in the queue: covered too
    let duringRefresh: { persons: number; alphaCurrent: boolean; kept: unknown[] } | null = null;
    const report = await refreshAllStatuses(db.url, {
      asOf: ON,
      maxAgeYears: 19,
      rules,
      afterSnapshot: async () => {
        // Recorded after the snapshot: the refresh cannot see it...
        await dose(alpha, '2025-07-01', PRODUCT.INFANRIX_HEXA);
        // ...but the user still sees it at once, and the entry is kept for the catch-up.
        const r = await drainAs('nurse');
        duringRefresh = {
          persons: r.persons,
          alphaCurrent: JSON.stringify(await stored(alpha)) === JSON.stringify(await expected(alpha)),
          kept: (await ownerSql(`SELECT person_id::int AS id, kept_for_catch_up AS kept FROM ims.series_status_stale ORDER BY 1`)).rows,
        };
      },
    });
    expect(duringRefresh).toEqual({
      persons: 1,
      alphaCurrent: true,
      kept: [
        { id: alpha, kept: true },
        { id: carer, kept: false },
        { id: kids[4], kept: false },
      ].sort((x, y) => x.id! - y.id!),
    });
    expect(report.caughtUp).toBe(1); // alpha alone: changed after the snapshot
    expect(await queued()).toEqual([]);
    for (const id of [alpha, carer, kids[4]!]) expect(await stored(id)).toEqual(await expected(id));
  });

  it('after a bulk load the queue holds one entry per person, and even a children-only refresh clears them all in its pass', async () => {
    const bulk = await createTestDatabase();
    try {
      const summary = await loadDemoRegion(bulk.url, { persons: 1500, seed: 4, asOf: ON });
      const noted = await bulk.query(`SELECT count(*)::int AS n FROM ims.series_status_stale`);
      expect(noted.rows[0]!.n).toBe(summary.persons);
      const adults = await bulk.query(
        `SELECT count(*)::int AS n FROM ims.person WHERE date_of_birth <= DATE '${ON}' - interval '19 years'`,
      );
      expect(adults.rows[0]!.n).toBeGreaterThan(500);
      const report = await refreshAllStatuses(bulk.url, { asOf: ON, maxAgeYears: 19, rules });
      // Everyone was waiting, adults included, so the streamed pass took them all: none is
      // left for the slower per-person catch-up.
      expect(report.persons).toBe(summary.persons);
      expect(report.caughtUp).toBe(0);
      const left = await bulk.query(`SELECT count(*)::int AS n FROM ims.series_status_stale`);
      expect(left.rows[0]!.n).toBe(0);
    } finally {
      await bulk.drop();
    }
  });
});

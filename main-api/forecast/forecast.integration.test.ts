// The forecast against the real database: forecast.get and vaccination.check as scoped login
// roles, the maintained ims.series_status (one person and the population refresh), its
// row-level security, and the `ims forecast` command.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../shared/vocabulary/products';
import { addUser } from '../administration/users.service';
import { runForecastCommand } from '../cli/commands/forecast';
import type { CliContext } from '../cli/context';
import { forecastChannels, type DoseCheck, type ForecastHandlers, type ForecastView } from '../contract/forecast';
import { refreshAllStatuses } from '../schedule-status/refresh-all';
import { loadPersonForecastInput } from './forecast.repository';
import { scheduleRules } from '../schedule/shipped-rules';
import { createForecastHandlers } from './forecast.service';
import { statusRows, type StatusRow } from '../schedule-status/schedule-status.service';
import { drainBatch, inTransaction } from '../schedule-status/status-queue.service';
import { forecast } from '../schedule';
import { uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, call, connectAs, nhsSequence, twoPracticeDatabase, value, withClient } from '../../tests/support/fixtures';
import type { LoginUser, UserConnections } from '../../tests/support/fixtures';

const ON = '2026-02-01';
const SIX = ['DIPHTHERIA', 'HEPB', 'HIB', 'PERTUSSIS', 'POLIO', 'TETANUS'];

const nhs = nhsSequence(999_200_000, 17);

interface StoredRow {
  person_id: string;
  series_id: string;
  kind: string;
  series_name: string;
  status: string;
  next_dose: number | null;
  due_date: string | null;
  overdue_from: string | null;
  latest_date: string | null;
  computed_on: string;
  rules_version: string;
}

const STORED = `SELECT person_id::text, series_id, kind, series_name, status, next_dose, due_date::text, overdue_from::text,
  latest_date::text, computed_on::text, rules_version FROM ims.series_status`;

const asStatusRows = (rows: StoredRow[]): StatusRow[] =>
  rows
    .map((r) => ({
      seriesId: r.series_id,
      kind: r.kind as StatusRow['kind'],
      name: r.series_name,
      status: r.status,
      nextDose: r.next_dose,
      dueDate: r.due_date,
      overdueFrom: r.overdue_from,
      latestDate: r.latest_date,
      rulesVersion: r.rules_version,
    }))
    .sort((a, b) => a.seriesId.localeCompare(b.seriesId));

const sorted = (rows: StatusRow[]): StatusRow[] => [...rows].sort((a, b) => a.seriesId.localeCompare(b.seriesId));

describe('forecast in the database', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const users: Record<string, LoginUser> = {};
  const rules = scheduleRules();
  let nurseDs: DataSource;
  let nurse: ForecastHandlers; // child health, practice G82001
  let other: ForecastHandlers; // coordinator, practice G82002
  let alpha: number; // G82001, born 2025-03-01: one 6-in-1 and one MenB, a mistaken MMR
  let beta: number; // G82002, born 2024-06-15, nothing recorded
  let gamma: number; // G82001, born 2013-04-20: infant course complete, school doses due
  let adult: number; // G82001, born 1950-01-01
  let mistakenId: number;

  async function handlersFor(user: LoginUser): Promise<{ ds: DataSource; handlers: ForecastHandlers }> {
    const ds = await connections.open(user);
    return { ds, handlers: createForecastHandlers(ds, rules, () => ON) };
  }

  async function expectedRows(personId: number, asOf: string): Promise<StatusRow[]> {
    const input = await withClient(db.url, (c) => loadPersonForecastInput(c, personId, 'forecast'));
    if (!input) throw new Error(`person ${personId} missing`);
    return sorted(statusRows(rules, forecast(rules, input.person, input.events, asOf, { explain: false })));
  }

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    const person = (n: number, givenName: string, dateOfBirth: string, practiceCode: string): Promise<number> =>
      addPerson(db, { nhsNumber: nhs(n), givenName, familyName: 'Forecast', dateOfBirth, practiceCode });
    const dose = async (personId: number, on: string, product: string, programme = 'ROUTINE_CHILDHOOD'): Promise<number> => {
      const r = await db.query(
        `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source)
         VALUES ($1, $2, 'GIVEN', $3, $4, false) RETURNING id`,
        [personId, programme, on, product],
      );
      return Number(r.rows[0]!.id);
    };
    alpha = await person(1, 'Alpha', '2025-03-01', 'G82001');
    beta = await person(2, 'Beta', '2024-06-15', 'G82002');
    gamma = await person(3, 'Gamma', '2013-04-20', 'G82001');
    adult = await person(4, 'Adult', '1950-01-01', 'G82001');
    await dose(alpha, '2025-05-01', PRODUCT.INFANRIX_HEXA);
    await dose(alpha, '2025-05-01', PRODUCT.BEXSERO);
    mistakenId = await dose(alpha, '2025-06-01', PRODUCT.PRIORIX);
    await db.query(`UPDATE ims.vaccination_event SET status = 'ENTERED_IN_ERROR', status_reason = 'Wrong child' WHERE id = $1`, [
      mistakenId,
    ]);
    for (const [on, product] of [
      ['2013-06-17', PRODUCT.INFANRIX_HEXA],
      ['2013-07-15', PRODUCT.INFANRIX_HEXA],
      ['2013-08-12', PRODUCT.INFANRIX_HEXA],
      ['2014-04-22', PRODUCT.PRIORIX],
      ['2016-08-25', PRODUCT.PRIORIX],
    ] as const)
      await dose(gamma, on, product);

    users.nurse = await addUser(db.url, { name: uniqueName('nurse'), role: 'child-health', orgs: ['G82001'] });
    users.other = await addUser(db.url, { name: uniqueName('coord'), role: 'coordinator', orgs: ['G82002'] });
    users.analyst = await addUser(db.url, { name: uniqueName('analyst'), role: 'analyst', orgs: ['Y59'] });
    const n = await handlersFor(users.nurse);
    nurseDs = n.ds;
    nurse = n.handlers;
    other = (await handlersFor(users.other)).handlers;
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  describe('forecast.get', () => {
    it("returns the engine's statuses and explanations for a partial history, without the mistaken dose", async () => {
      const view = await value<ForecastView>(call(nurse, 'forecast.get', { personId: alpha, on: ON }));
      const direct = forecast(
        rules,
        { dateOfBirth: '2025-03-01', dateOfDeath: null, flags: [], staff: [] },
        [
          { date: '2025-05-01', antigens: SIX, outcome: 'GIVEN' },
          { date: '2025-05-01', antigens: ['MENB'], outcome: 'GIVEN' },
        ],
        ON,
      );
      expect(view.asOf).toBe(ON);
      expect(view.dateOfBirth).toBe('2025-03-01');
      expect(view.series.map((s) => [s.seriesId, s.status, s.nextDose, s.dueDate, s.overdueFrom, s.latestDate])).toEqual(
        direct.series.map((s) => [s.seriesId, s.status, s.nextDose, s.dueDate, s.overdueFrom, s.latestDate]),
      );
      expect(view.series.map((s) => s.explanation)).toEqual(direct.series.map((s) => s.explanation));
      expect(view.campaigns.map((c) => [c.campaignId, c.status, c.eligible])).toEqual(
        direct.campaigns.map((c) => [c.campaignId, c.status, c.eligible]),
      );

      const six = view.series.find((s) => s.seriesId === 'SIX-IN-1')!;
      expect(six.status).toBe('OVERDUE');
      expect(six.nextDose).toBe(2);
      expect(six.dosesCounted).toEqual([expect.objectContaining({ date: '2025-05-01', doseNumber: 1, product: 'Infanrix hexa' })]);
      expect(six.explanation.join('\n')).toMatch(/Dose 1 given on 1 May 2025/);
      const mmr = view.series.find((s) => s.seriesId === 'MMR')!;
      expect(mmr.dosesCounted).toEqual([]);
      expect(JSON.stringify(view)).not.toContain(`"eventId":${mistakenId}`);
      expect(view.rulesVersion).toMatch(/ENG-ROUTINE v/);
    });

    it('defaults to today and refuses people outside the scope and impossible dates', async () => {
      const today = await value<ForecastView>(call(nurse, 'forecast.get', { personId: alpha }));
      expect(today.asOf).toBe(ON);
      const hidden = await call(nurse, 'forecast.get', { personId: beta, on: ON });
      expect(hidden).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const seen = await value<ForecastView>(call(other, 'forecast.get', { personId: beta, on: ON }));
      expect(seen.personId).toBe(beta);
      expect(await call(nurse, 'forecast.get', { personId: alpha, on: '2026-02-30' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
      expect(await call(nurse, 'forecast.get', { personId: alpha, on: '2024-01-01' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    });
  });

  describe('vaccination.check', () => {
    it('warns that a 6-in-1 three weeks after the first is too soon, with the reason', async () => {
      const check = await value<DoseCheck>(
        call(nurse, 'vaccination.check', { personId: alpha, date: '2025-05-22', productCode: PRODUCT.INFANRIX_HEXA }),
      );
      expect(check.productName).toBe('Infanrix hexa');
      expect(check.antigens).toEqual(SIX);
      const soon = check.warnings.find((w) => w.code === 'TOO_SOON_AFTER_PREVIOUS' && w.seriesId === 'SIX-IN-1');
      expect(soon?.explanation).toMatch(/not before 29 May 2025/);
      expect(check.warnings.some((w) => w.code === 'LIKELY_DUPLICATE')).toBe(false);
    });

    it('flags a likely duplicate within days and has no timing warning for a dose on time', async () => {
      const dup = await value<DoseCheck>(
        call(nurse, 'vaccination.check', { personId: alpha, date: '2025-05-05', productCode: PRODUCT.BEXSERO }),
      );
      expect(dup.warnings.map((w) => w.code)).toContain('LIKELY_DUPLICATE');
      const fine = await value<DoseCheck>(
        call(nurse, 'vaccination.check', { personId: alpha, date: ON, productCode: PRODUCT.INFANRIX_HEXA }),
      );
      expect(fine.warnings.filter((w) => w.seriesId === 'SIX-IN-1')).toEqual([]);
    });

    it('refuses an unknown product and a person out of scope', async () => {
      expect(await call(nurse, 'vaccination.check', { personId: alpha, date: ON, productCode: '123456789' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
      expect(await call(nurse, 'vaccination.check', { personId: beta, date: ON, productCode: PRODUCT.INFANRIX_HEXA })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
    });
  });

  describe('ims.series_status', () => {
    // Queues the person alone, as a change to their record would, and drains the queue as a user.
    const recompute = async (who: DataSource, personId: number, asOf: string) => {
      await db.query(`DELETE FROM ims.series_status_stale`);
      await db.query(`SELECT ims.series_status_note(ARRAY[$1]::bigint[])`, [personId]);
      return drainBatch(inTransaction(who), { newestFirst: true }, { asOf, rules });
    };

    it('the drain writes rows matching the forecast, as the signed-in user', async () => {
      expect(await recompute(nurseDs, alpha, ON)).toMatchObject({ persons: 1, failed: [] });
      const stored = await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [alpha]);
      const expected = await expectedRows(alpha, ON);
      expect(asStatusRows(stored.rows)).toEqual(expected);
      expect(stored.rows.every((r) => r.computed_on === ON)).toBe(true);
      expect(expected.find((r) => r.seriesId === 'SIX-IN-1')).toMatchObject({ status: 'OVERDUE', nextDose: 2 });
      // Not-eligible series and the far-off adult doses are not stored.
      expect(expected.some((r) => r.seriesId === 'SHINGLES' || r.seriesId === 'FIVE-IN-1')).toBe(false);

      // A later date moves the rows on; rows that no longer apply are removed.
      await db.query(
        `INSERT INTO ims.series_status (person_id, series_id, series_name, status, computed_on, rules_version)
                      VALUES ($1, 'OLD-SERIES', 'Withdrawn', 'DUE', '2025-01-01', 'x')`,
        [alpha],
      );
      await recompute(nurseDs, alpha, '2026-06-01');
      const later = await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [alpha]);
      expect(asStatusRows(later.rows)).toEqual(await expectedRows(alpha, '2026-06-01'));
      await recompute(nurseDs, alpha, ON);
    });

    it('is closed to users except through the drain, which recomputes only persons in scope', async () => {
      const otherClient = await connectAs(db.urlAs(users.other!.name, users.other!.password));
      try {
        await expect(otherClient.query(`SELECT count(*)::int AS n FROM ims.series_status WHERE person_id = $1`, [alpha])).rejects.toThrow(
          /permission denied/,
        );
        expect(await recompute(await connections.open(users.other!), alpha, ON)).toMatchObject({ persons: 0 });
        await expect(
          otherClient.query(
            `INSERT INTO ims.series_status (person_id, series_id, series_name, status, computed_on, rules_version)
                             VALUES ($1, 'X', 'X', 'DUE', '2026-01-01', 'x')`,
            [alpha],
          ),
        ).rejects.toThrow(/permission denied/);
      } finally {
        await otherClient.end();
      }
      const analyst = await connectAs(db.urlAs(users.analyst!.name, users.analyst!.password));
      try {
        // Analysts read aggregates only (0026): no status rows about people, and nobody to recompute.
        await expect(analyst.query(`SELECT count(*)::int AS n FROM ims.series_status`)).rejects.toThrow(/permission denied/);
        expect(await recompute(await connections.open(users.analyst!), alpha, ON)).toMatchObject({ persons: 0 });
      } finally {
        await analyst.end();
      }
      // Left queued for someone who may recompute them.
      expect(await drainBatch(inTransaction(nurseDs), { newestFirst: true }, { asOf: ON, rules })).toMatchObject({ persons: 1 });
    });

    it('refreshAllStatuses fills the table for everyone, consistent with the forecast, and swaps partitions', async () => {
      const phases: string[] = [];
      const report = await refreshAllStatuses(db.url, { asOf: ON, rules, onProgress: (p) => phases.push(p.phase) });
      expect(report.persons).toBe(4);
      expect(report.failed.count).toBe(0);
      expect(phases).toContain('reading');
      expect(phases.at(-1)).toBe('done');
      for (const id of [alpha, beta, gamma, adult]) {
        const stored = await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [id]);
        expect(asStatusRows(stored.rows)).toEqual(await expectedRows(id, ON));
      }
      const gammaRows = asStatusRows((await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [gamma])).rows);
      expect(gammaRows.find((r) => r.seriesId === 'HPV')?.status).toMatch(/DUE|OVERDUE/);
      expect(gammaRows.find((r) => r.seriesId === 'MMR')?.status).toBe('COMPLETE');
      const total = await db.query(`SELECT count(*)::int AS n FROM ims.series_status`);
      expect(total.rows[0]!.n).toBe(report.rows);
      const parts = await db.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ims.series_status'::regclass`,
      );
      expect(parts.rows).toHaveLength(1);
      expect(parts.rows[0]!.relname).not.toBe('series_status_initial');
      // The partition's own indexes were adopted by the parent's, not built a second time.
      const indexes = await db.query(`SELECT count(*)::int AS n FROM pg_index WHERE indrelid = $1::regclass`, [
        `ims.${parts.rows[0]!.relname}`,
      ]);
      expect(indexes.rows[0]!.n).toBe(3);
      const log = await db.query(`SELECT persons, as_of::text FROM ims.series_status_refresh ORDER BY id DESC LIMIT 1`);
      expect(log.rows[0]).toEqual({ persons: 4, as_of: ON });

      // The parent's grants (none for users) and policies still apply after the swap.
      const otherClient = await connectAs(db.urlAs(users.other!.name, users.other!.password));
      try {
        await expect(otherClient.query(`SELECT DISTINCT person_id::int AS id FROM ims.series_status`)).rejects.toThrow(/permission denied/);
      } finally {
        await otherClient.end();
      }
      const rls = await db.query(`SELECT relrowsecurity AS on FROM pg_class WHERE oid = 'ims.series_status'::regclass`);
      expect(rls.rows[0]!.on).toBe(true);
    });

    it('a children-only refresh recomputes children and keeps adults’ statuses', async () => {
      const before = await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [adult]);
      expect(before.rows.length).toBeGreaterThan(0);
      const report = await refreshAllStatuses(db.url, { asOf: '2026-03-01', maxAgeYears: 19, rules });
      expect(report.persons).toBe(3);
      const after = await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [adult]);
      expect(asStatusRows(after.rows)).toEqual(asStatusRows(before.rows));
      // Nothing about the adult has changed since the last refresh (the status queue holds
      // nothing for them), so their rows are carried over as they were.
      expect(after.rows.every((r) => r.computed_on === ON)).toBe(true);
      const child = await db.query<StoredRow>(`${STORED} WHERE person_id = $1`, [gamma]);
      expect(asStatusRows(child.rows)).toEqual(await expectedRows(gamma, '2026-03-01'));
      const due = await db.query(
        `SELECT person_id::int AS id FROM ims.series_status WHERE series_id = 'SIX-IN-1' AND status = 'OVERDUE' ORDER BY 1`,
      );
      expect(due.rows).toEqual([{ id: alpha }, { id: beta }]);
    });

    it('refuses a second refresh while one is running', async () => {
      // A running refresh holds the refresh lock table for its whole transaction.
      const holder = await connectAs(db.url);
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE ims.series_status_refresh_lock IN EXCLUSIVE MODE');
        await expect(refreshAllStatuses(db.url, { asOf: ON, rules })).rejects.toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(/already running/),
        });
      } finally {
        await holder.end();
      }
    });
  });

  describe('ims forecast', () => {
    function cliContext(out: string[]): CliContext {
      return {
        ownerUrl: async () => db.url,
        target: { kind: 'server', url: db.url },
        print: (t) => out.push(t),
        close: async () => {},
      };
    }

    it('prints the table and the explanation lines for an NHS number', async () => {
      const out: string[] = [];
      await runForecastCommand(cliContext(out), { nhsNumber: nhs(1), on: ON }, () => {});
      const text = out.join('\n');
      expect(text).toContain(`Alpha FORECAST, NHS number ${nhs(1).slice(0, 3)} ${nhs(1).slice(3, 6)} ${nhs(1).slice(6)}`);
      expect(text).toMatch(/^6-in-1 \(DTaP\/IPV\/Hib\/HepB\)\s+OVERDUE\s+2 \(6-in-1\)\s+2025-05-29\s+2025-06-26/m);
      expect(text).toContain('  - Dose 1 given on 1 May 2025');
      expect(text).toContain('Schedule status on 2026-02-01');
    });

    it('prints the API output with --json', async () => {
      const out: string[] = [];
      await runForecastCommand(cliContext(out), { nhsNumber: nhs(1), on: ON, json: true }, () => {});
      const parsed = forecastChannels['forecast.get'].output.parse(JSON.parse(out.join('\n')));
      expect(parsed.personId).toBe(alpha);
    });

    it('audits the opening of the record it shows, as the record screen does', async () => {
      const views = async (): Promise<{ actor: string; purpose: string }[]> =>
        (
          await db.query<{ actor: string; purpose: string }>(
            `SELECT actor, purpose FROM audit.record_view WHERE person_id = $1 ORDER BY id`,
            [gamma],
          )
        ).rows;
      const before = await views();
      const out: string[] = [];
      await runForecastCommand(cliContext(out), { nhsNumber: nhs(3), on: ON }, () => {});
      expect(out.join('\n')).toContain('Gamma FORECAST');
      const owner = (await db.query<{ name: string }>(`SELECT session_user AS name`)).rows[0]!.name;
      expect(await views()).toEqual([...before, { actor: owner, purpose: 'view' }]);
      // Nothing is opened, so nothing is audited, for a number not on the register.
      const total = async (): Promise<number> =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit.record_view`)).rows[0]!.n;
      const all = await total();
      await expect(runForecastCommand(cliContext([]), { nhsNumber: nhs(98) }, () => {})).rejects.toThrow(/No person with NHS number/);
      expect(await total()).toBe(all);
    });

    it('shows nothing to a role whose opening the audit refuses', async () => {
      // Like a schema owner that is not a superuser: it bypasses row-level security and finds
      // the person, but is in no IMS group, so the audit will not record an opening for it.
      const role = uniqueName('owner_like');
      await db.query(`CREATE ROLE ${role} LOGIN BYPASSRLS PASSWORD 'not-an-ims-user' IN ROLE pg_read_all_data`);
      await db.query(`GRANT EXECUTE ON FUNCTION ims.open_person_record(bigint, text), audit.log_record_view(bigint, text) TO ${role}`);
      // An owner may connect to its database; only its registered users besides (0030).
      await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${role}`);
      try {
        const out: string[] = [];
        const ctx = { ...cliContext(out), ownerUrl: async () => db.urlAs(role, 'not-an-ims-user') };
        await expect(runForecastCommand(ctx, { nhsNumber: nhs(3), on: ON }, () => {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
        expect(out).toEqual([]);
      } finally {
        await db.query(`DROP OWNED BY ${role}`);
        await db.query(`DROP ROLE ${role}`);
      }
    });

    it('explains a bad check digit and an unknown person', async () => {
      const good = nhs(1);
      const bad = `${good.slice(0, 9)}${(Number(good[9]) + 1) % 10}`;
      await expect(runForecastCommand(cliContext([]), { nhsNumber: bad }, () => {})).rejects.toThrow(/check digit/);
      await expect(runForecastCommand(cliContext([]), { nhsNumber: nhs(99) }, () => {})).rejects.toThrow(/No person with NHS number/);
    });

    it('refreshes everyone with --refresh-all and reports progress', async () => {
      const out: string[] = [];
      const progress: string[] = [];
      await runForecastCommand(cliContext(out), { refreshAll: true, on: ON }, (l) => progress.push(l));
      expect(out.join('\n')).toMatch(/Refreshed the schedule status of 4 persons on 2026-02-01/);
      expect(progress.some((l) => /Assessing 4 of 4 persons \(100%\)/.test(l))).toBe(true);
    });
  });
});

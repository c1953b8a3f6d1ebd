// Imported rule files as real login roles: an administrator imports, previews and activates; a
// coordinator is refused by the database; a bad file stores nothing; the same file twice is one
// version; a future effective date leaves today's rule set alone; the status drain and the
// forecast use the rule set in force.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import type { RuleFileVersionView, RuleImportResult } from '../contract/rules';
import { createForecastHandlers } from '../forecast';
import { openDataSource } from '../platform/db/datasource';
import { resourcesDir } from '../platform/paths';
import { effectiveRules, effectiveRulesOn, rulesVersion } from '../schedule';
import { drainStatusQueue, inTransaction } from '../schedule-status/status-queue.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import {
  call,
  connectAs,
  dropRoles,
  nhsSequence,
  TWO_PRACTICES_SQL,
  userConnections,
  value,
  type UserConnections,
} from '../../tests/support/fixtures';
import { createRuleHandlers } from './rule-files.service';

const nhs = nhsSequence(999_700_000, 13);
const PASSWORD = 'rule-files-password';
const TODAY = '2026-11-30';

const shippedText = (file: string) => readFileSync(join(resourcesDir(), 'schedule', file), 'utf8');

/** The shipped flu file without its school-age criterion: a school child is no longer eligible. */
function fluWithoutSchoolChildren(version = '2026-27b'): string {
  const json = JSON.parse(shippedText('flu-2026-27.json')) as { version: string; criteria: { id: string }[] };
  json.version = version;
  json.criteria = json.criteria.filter((c) => c.id !== 'FLU-SCHOOL');
  return JSON.stringify(json, null, 2);
}

describe('imported rule files', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let admin: DataSource;
  let coordinator: DataSource;
  let owner: DataSource;
  const names = { admin: uniqueName('t_rules_admin'), coordinator: uniqueName('t_rules_coord') };
  const ids = { child: 0, adult: 0 };
  const asAdmin = () => createRuleHandlers(admin, () => TODAY);
  const asCoordinator = () => createRuleHandlers(coordinator, () => TODAY);
  const drain = () => drainStatusQueue(inTransaction(owner), { asOf: TODAY });
  const versionCount = async () => Number((await db.query(`SELECT count(*) AS n FROM ims.rule_file_version`)).rows[0]!.n);
  const fluRow = async (personId: number) =>
    (await db.query(`SELECT status, rules_version FROM ims.series_status WHERE person_id = $1 AND series_id = 'FLU_2026_27'`, [personId]))
      .rows[0] as { status: string; rules_version: string } | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    const add = async (n: number, dob: string) =>
      Number(
        (
          await db.query<{ id: string }>(
            `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code) VALUES ($1, 'Rule', 'Test', $2, 'G82001') RETURNING id`,
            [nhs(n), dob],
          )
        ).rows[0]!.id,
      );
    ids.child = await add(1, '2019-06-15'); // Year 2: eligible for flu at school
    ids.adult = await add(2, '1950-01-01'); // over 65
    await addUser(db.url, { name: names.admin, role: 'administrator', orgs: ['Y59'], password: PASSWORD });
    await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    admin = await connections.open({ name: names.admin, password: PASSWORD });
    coordinator = await connections.open({ name: names.coordinator, password: PASSWORD });
    owner = await openDataSource(db.url);
    await drain();
  });

  afterAll(async () => {
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('starts from the shipped rules', async () => {
    expect(await fluRow(ids.child)).toMatchObject({ rules_version: 'FLU_2026_27 v2026-27' });
    expect(rulesVersion(await effectiveRules(admin, TODAY))).not.toMatch(/import/);
  });

  it('refuses a bad file with every field at fault, and stores nothing', async () => {
    const json = JSON.parse(shippedText('flu-2026-27.json')) as Record<string, unknown> & { criteria: Record<string, unknown>[] };
    json.startDate = '2026-02-30';
    (json.criteria[1]!.age as Record<string, unknown>).min = 'two years';
    const r = await call(asAdmin(), 'rules.import', { fileName: 'bad.json', text: JSON.stringify(json), effectiveFrom: null });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    expect(r.error.details).toMatchObject({ kind: 'fields' });
    const fields = r.error.details?.kind === 'fields' ? r.error.details.fields.map((f) => f.field) : [];
    expect(fields).toEqual(expect.arrayContaining(['startDate', 'criteria[1].age.min']));
    const notJson = await call(asAdmin(), 'rules.import', { fileName: 'x.json', text: '{"kind": "campaign",', effectiveFrom: null });
    expect(notJson).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await versionCount()).toBe(0);
  });

  it('refuses a coordinator in the database, whatever the route', async () => {
    const r = await call(asCoordinator(), 'rules.import', { fileName: 'flu.json', text: fluWithoutSchoolChildren(), effectiveFrom: null });
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const client = await connectAs(db.urlAs(names.coordinator, PASSWORD));
    try {
      await expect(
        client.query(`SELECT * FROM api.rule_file_import($1, 'x.json', '2026-11-30', '{}', false, NULL, NULL)`, [
          fluWithoutSchoolChildren(),
        ]),
      ).rejects.toThrow(/permission denied/);
      await expect(
        client.query(
          `INSERT INTO ims.rule_file_version (kind, rule_id, rule_version, name, content, checksum, effective_from)
           VALUES ('campaign', 'X', '1', 'X', '{}', repeat('a', 64), '2026-01-01')`,
        ),
      ).rejects.toThrow(/permission denied/);
      // Reading is allowed: the versions are reference data every drain needs.
      expect((await client.query(`SELECT count(*) FROM ims.rule_file_version`)).rows).toHaveLength(1);
    } finally {
      await client.end();
    }
    expect(await versionCount()).toBe(0);
  });

  let imported: RuleImportResult;

  it('imports a file as a previewed version, previews what would change, and audits the import', async () => {
    imported = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'flu-2026-27b.json', text: fluWithoutSchoolChildren(), effectiveFrom: null }),
    );
    expect(imported).toMatchObject({ created: true, status: 'previewed', kind: 'campaign', ruleId: 'FLU_2026_27', effectiveFrom: TODAY });
    const p = imported.preview;
    // The school child loses the flu row; the adult keeps theirs.
    expect(p).toMatchObject({ onDay: TODAY, sampled: false, changed: 1 });
    expect(p.reached).toBeGreaterThanOrEqual(2);
    expect(p.transitions).toEqual([expect.objectContaining({ seriesId: 'FLU_2026_27', to: null, persons: 1 })]);
    expect(p.examples[0]).toMatchObject({
      personId: ids.child,
      changes: [expect.objectContaining({ seriesId: 'FLU_2026_27', after: null })],
    });
    expect(p.examples[0]!.changes[0]!.explanationBefore.join(' ')).toMatch(/School age/);
    expect(p.rulesAfter).toContain(`FLU_2026_27 v2026-27b import ${imported.version}`);
    // Previewed is not in use: today's rule set is unchanged.
    expect(rulesVersion(await effectiveRules(admin, TODAY))).not.toMatch(/import/);
    const audit = await db.query(
      `SELECT actor, operation FROM audit.change_log WHERE table_name = 'ims.rule_file_version' AND row_id = $1`,
      [String(imported.version)],
    );
    expect(audit.rows).toEqual([{ actor: names.admin, operation: 'INSERT' }]);
  });

  it('treats the same file imported again as the same version', async () => {
    const again = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'copy.json', text: fluWithoutSchoolChildren(), effectiveFrom: null }),
    );
    expect(again).toMatchObject({ version: imported.version, created: false, checksum: imported.checksum });
    expect(await versionCount()).toBe(1);
  });

  it('activates: the rule set, the drain and the forecast use the file, and the activation is audited', async () => {
    const activated = await value<{ status: string; queued: number }>(call(asAdmin(), 'rules.activate', { version: imported.version }));
    expect(activated.status).toBe('active');
    expect(activated.queued).toBeGreaterThanOrEqual(2);
    expect(rulesVersion(await effectiveRules(admin, TODAY))).toContain(`FLU_2026_27 v2026-27b import ${imported.version}`);
    await drain();
    expect(await fluRow(ids.child)).toBeUndefined();
    expect(await fluRow(ids.adult)).toMatchObject({ rules_version: `FLU_2026_27 v2026-27b import ${imported.version}` });
    const view = await value<{ rulesVersion: string }>(
      call(
        createForecastHandlers(admin, effectiveRulesOn(admin), () => TODAY),
        'forecast.get',
        { personId: ids.adult },
      ),
    );
    expect(view.rulesVersion).toContain(`import ${imported.version}`);
    const audit = await db.query(
      `SELECT actor, new_row ->> 'status' AS status FROM audit.change_log WHERE table_name = 'ims.rule_file_version' AND operation = 'UPDATE' AND row_id = $1 ORDER BY id`,
      [String(imported.version)],
    );
    expect(audit.rows[0]).toEqual({ actor: names.admin, status: 'active' });
    const list = await value<{ versions: RuleFileVersionView[] }>(call(asAdmin(), 'rules.list', {}));
    expect(list.versions[0]).toMatchObject({ version: imported.version, status: 'active', inForce: true, replacesShipped: true });
    // A coordinator cannot activate or withdraw either.
    expect(await call(asCoordinator(), 'rules.withdraw', { version: imported.version })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });

  it('leaves today alone for a version effective in the future, and supersedes on its day', async () => {
    const later = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'flu-c.json', text: fluWithoutSchoolChildren('2026-27c'), effectiveFrom: '2027-01-15' }),
    );
    expect(later.preview.onDay).toBe('2027-01-15');
    const activated = await value<{ status: string; queued: number }>(call(asAdmin(), 'rules.activate', { version: later.version }));
    expect(activated).toMatchObject({ status: 'active', queued: 0 });
    expect(rulesVersion(await effectiveRules(admin, TODAY))).toContain(`v2026-27b import ${imported.version}`);
    expect(rulesVersion(await effectiveRules(admin, '2027-01-15'))).toContain(`v2026-27c import ${later.version}`);
    const list = await value<{ versions: RuleFileVersionView[] }>(call(asAdmin(), 'rules.list', {}));
    expect(list.versions.map((v) => [v.version, v.status, v.inForce])).toEqual([
      [later.version, 'active', false],
      [imported.version, 'active', true],
    ]);
    // Nothing is due today: the job queues no one.
    const client = await connectAs(db.urlAs(names.coordinator, PASSWORD));
    try {
      expect((await client.query(`SELECT api.rule_files_queue_due($1::date) AS n`, [TODAY])).rows[0].n).toBe('0');
    } finally {
      await client.end();
    }
  });

  it('withdraws: the rules it replaced are used again', async () => {
    const withdrawn = await value<{ status: string; queued: number }>(call(asAdmin(), 'rules.withdraw', { version: imported.version }));
    expect(withdrawn.status).toBe('withdrawn');
    expect(withdrawn.queued).toBeGreaterThanOrEqual(1);
    expect(rulesVersion(await effectiveRules(admin, TODAY))).not.toMatch(/import/);
    await drain();
    expect(await fluRow(ids.child)).toMatchObject({ rules_version: 'FLU_2026_27 v2026-27' });
  });

  it('leaves out an active version this release no longer accepts, and says why, rather than stop every forecast', async () => {
    const v = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'flu-d.json', text: fluWithoutSchoolChildren('2026-27d'), effectiveFrom: null }),
    );
    await value(call(asAdmin(), 'rules.activate', { version: v.version }));
    expect(rulesVersion(await effectiveRules(admin, TODAY))).toContain(`import ${v.version}`);
    // As if the engine's checks had been tightened since: the stored text no longer passes.
    const broken = fluWithoutSchoolChildren('2026-27d').replace('"2026-09-01"', '"2026-09-31"');
    await db.query(
      `UPDATE ims.rule_file_version SET content = $2, checksum = encode(sha256(convert_to($2, 'UTF8')), 'hex') WHERE version = $1`,
      [v.version, broken],
    );
    expect(rulesVersion(await effectiveRules(admin, TODAY))).not.toMatch(new RegExp(`import ${v.version}\\b`));
    const list = await value<{ versions: RuleFileVersionView[] }>(call(asAdmin(), 'rules.list', {}));
    const row = list.versions.find((x) => x.version === v.version);
    expect(row).toMatchObject({ status: 'active', inForce: false, problem: expect.stringMatching(/startDate: Use a real date/) });
  });

  it('queues the people a version reaches when its day comes, once', async () => {
    const v = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'flu-e.json', text: fluWithoutSchoolChildren('2026-27e'), effectiveFrom: '2026-12-01' }),
    );
    expect(await value<{ queued: number }>(call(asAdmin(), 'rules.activate', { version: v.version }))).toMatchObject({ queued: 0 });
    await db.query(`DELETE FROM ims.series_status_stale`);
    const client = await connectAs(db.urlAs(names.coordinator, PASSWORD));
    try {
      const due = async (day: string) => Number((await client.query(`SELECT api.rule_files_queue_due($1::date) AS n`, [day])).rows[0].n);
      expect(await due(TODAY)).toBe(0);
      expect(await due('2026-12-01')).toBeGreaterThanOrEqual(2);
      expect(Number((await db.query(`SELECT count(*) AS n FROM ims.series_status_stale`)).rows[0]!.n)).toBeGreaterThanOrEqual(2);
      expect(await due('2026-12-02')).toBe(0);
      // On its day it overtakes the version before it, which is marked superseded.
      const rows = await db.query(`SELECT version::int AS version, status, queued_on::text FROM ims.rule_file_version WHERE version = $1`, [
        v.version,
      ]);
      expect(rows.rows[0]).toEqual({ version: v.version, status: 'active', queued_on: '2026-12-01' });
      expect(
        Number((await db.query(`SELECT count(*) AS n FROM ims.rule_file_version WHERE superseded_by = $1`, [v.version])).rows[0]!.n),
      ).toBe(1);
    } finally {
      await client.end();
    }
  });

  it("a new season's campaign file makes its programme known, and a schedule file its series' antigens", async () => {
    const next = JSON.parse(shippedText('flu-2026-27.json')) as Record<string, unknown>;
    Object.assign(next, {
      id: 'FLU_2027_28',
      version: '2027-28',
      name: 'Flu 2027 to 2028',
      startDate: '2027-09-01',
      endDate: '2028-03-31',
    });
    const text = JSON.stringify(next).replaceAll('2026-08-31', '2027-08-31').replaceAll('2027-03-31', '2028-03-31');
    // The id names the programme, so it must be written as a programme code.
    const bad = await call(asAdmin(), 'rules.import', {
      fileName: 'flu-bad.json',
      text: text.replace('FLU_2027_28', 'flu-2027'),
      effectiveFrom: null,
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const programmes = async () =>
      (await db.query(`SELECT code, kind, campaign, start_date::text AS start FROM ims.programme WHERE code = 'FLU_2027_28'`)).rows;
    const v = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'flu-2027-28.json', text, effectiveFrom: '2027-09-01' }),
    );
    expect(await programmes()).toEqual([]);
    await value(call(asAdmin(), 'rules.activate', { version: v.version }));
    expect(await programmes()).toEqual([{ code: 'FLU_2027_28', kind: 'SEASONAL_FLU', campaign: '2027-28', start: '2027-09-01' }]);
    // A cohort can now name the season.
    const count = await admin.query(`SELECT api.cohort_count($1::jsonb, '{}') AS r`, [
      JSON.stringify({
        format: 1,
        name: 'Next season',
        campaign: 'FLU_2027_28',
        referenceDate: '2028-03-31',
        criteria: { age: { min: 65 } },
      }),
    ]);
    // The adult over 65 matches (left out only as having no contact details).
    const buckets = (count[0] as { r: { buckets: Record<string, number> } }).r.buckets;
    expect(Object.values(buckets).reduce((sum, n) => sum + Number(n), 0)).toBe(1);

    const schedule = JSON.parse(shippedText('england-routine-2025-26.json')) as { series: { id: string; antigens: string[] }[] };
    const menb = schedule.series.find((x) => x.id === 'MENB')!;
    schedule.series.push({ ...menb, id: 'MENB-CATCH-UP', name: 'MenB catch-up' } as (typeof schedule.series)[number]);
    const antigens = async () => (await db.query(`SELECT antigen FROM ims.series_antigen WHERE series_id = 'MENB-CATCH-UP'`)).rows;
    const s = await value<RuleImportResult>(
      call(asAdmin(), 'rules.import', { fileName: 'routine.json', text: JSON.stringify(schedule), effectiveFrom: '2027-01-01' }),
    );
    expect(await antigens()).toEqual([]);
    await value(call(asAdmin(), 'rules.activate', { version: s.version }));
    expect(await antigens()).toEqual([{ antigen: 'MENB' }]);
  });
});

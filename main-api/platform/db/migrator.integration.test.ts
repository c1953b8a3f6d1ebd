import { cpSync, mkdtempSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, pendingMigrations } from './migrator';
import { migrationsDir } from '../paths';
import { createEmptyDatabase, type TestDatabase } from '../../../tests/support/db';
import { dropRoles, withClient } from '../../../tests/support/fixtures';
import { uniqueName } from '../../../tests/support/db';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createEmptyDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('apply to an empty database, recording each file with its checksum', async () => {
    const files = readdirSync(migrationsDir())
      .filter((f) => f.endsWith('.sql'))
      .sort();
    const report = await migrate(db.url, migrationsDir());
    expect(report.applied).toEqual(files);
    const { rows } = await db.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM ims_meta.schema_migration ORDER BY version',
    );
    expect(rows.map((r) => r.name)).toEqual(files);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
    const person = await db.query(`SELECT to_regclass('ims.person') AS t`);
    expect(person.rows[0]!.t).toBe('ims.person');
  });

  it('re-applying is a no-op', async () => {
    const report = await migrate(db.url, migrationsDir());
    expect(report.applied).toEqual([]);
    await withClient(db.url, async (client) => expect(await pendingMigrations(client, migrationsDir())).toEqual([]));
  });

  it('refuses an applied file whose content changed, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-mig-'));
    cpSync(migrationsDir(), dir, { recursive: true, dereference: true });
    const first = readdirSync(dir).sort()[0]!;
    appendFileSync(join(dir, first), '\n-- edited after release\n');
    await expect(migrate(db.url, dir)).rejects.toThrow(new RegExp(`${first} was changed after it was applied`));
  });

  it('rolls back a failing file completely and records nothing for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-mig-'));
    cpSync(migrationsDir(), dir, { recursive: true, dereference: true });
    writeFileSync(join(dir, '9999_broken.sql'), 'CREATE TABLE ims.half_done (id int);\nSELECT no_such_function();\n');
    await expect(migrate(db.url, dir)).rejects.toThrow(/9999_broken.sql failed and was rolled back/);
    const t = await db.query(`SELECT to_regclass('ims.half_done') AS t`);
    expect(t.rows[0]!.t).toBeNull();
    const v = await db.query(`SELECT count(*)::int AS n FROM ims_meta.schema_migration WHERE version = 9999`);
    expect(v.rows[0]!.n).toBe(0);
  });

  it('serialises concurrent runs with the advisory lock', async () => {
    const other = await createEmptyDatabase();
    try {
      const [a, b] = await Promise.all([migrate(other.url, migrationsDir()), migrate(other.url, migrationsDir())]);
      const total = a.applied.length + b.applied.length;
      expect(total).toBe(readdirSync(migrationsDir()).filter((f) => f.endsWith('.sql')).length);
    } finally {
      await other.drop();
    }
  });

  it('applies 0030 as a role that does not own the database, warning with the statements a DBA must run', async () => {
    const target = await createEmptyDatabase();
    const migrator = uniqueName('not_db_owner');
    const registered = uniqueName('registered');
    try {
      const before = mkdtempSync(join(tmpdir(), 'ims-mig-'));
      for (const f of readdirSync(migrationsDir()).filter((n) => n < '0030')) cpSync(join(migrationsDir(), f), join(before, f));
      await migrate(target.url, before);
      await target.query(`CREATE ROLE ${registered} LOGIN`);
      await target.query(`INSERT INTO ims.app_user (role_name, display_name) VALUES ('${registered}', 'A registered user')`);
      // A schema maintainer who sees every user, but whose database belongs to someone else.
      await target.query(`CREATE ROLE ${migrator} LOGIN BYPASSRLS PASSWORD 'not-the-owner-1'`);
      await target.query(`GRANT CREATE ON DATABASE ${target.name} TO ${migrator}`);
      await target.query(`GRANT USAGE, CREATE ON SCHEMA ims, ims_meta TO ${migrator}`);
      await target.query(`GRANT ALL ON ims_meta.schema_migration TO ${migrator}`);
      await target.query(`GRANT SELECT ON ims.app_user TO ${migrator}`);
      // Only 0030 is this role's to apply: later migrations change tables it does not own.
      const upTo0030 = mkdtempSync(join(tmpdir(), 'ims-mig-'));
      for (const f of readdirSync(migrationsDir()).filter((n) => n < '0031')) cpSync(join(migrationsDir(), f), join(upTo0030, f));
      const report = await migrate(target.urlAs(migrator, 'not-the-owner-1'), upTo0030);
      expect(report.applied).toContain('0030_connect_only_registered_users.sql');
      expect(report.warnings).toHaveLength(1);
      expect(report.warnings[0]).toContain(
        `must run: GRANT CONNECT ON DATABASE ${target.name} TO ${registered}; REVOKE CONNECT ON DATABASE ${target.name} FROM PUBLIC;`,
      );
      expect(report.warnings[0]).toContain(`GRANT CONNECT ON DATABASE ${target.name} TO ${migrator} WITH GRANT OPTION`);
      // Nothing was closed: the database is as open as before.
      expect((await target.query(`SELECT ims.holds_connect_here(0) AS open`)).rows[0]!.open).toBe(true);
    } finally {
      await target.drop();
      await dropRoles([migrator, registered]);
    }
  });
});

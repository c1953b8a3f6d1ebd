import { cpSync, mkdtempSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, pendingMigrations } from './migrator';
import { migrationsDir } from '../paths';
import { createEmptyDatabase, type TestDatabase } from '../../../tests/support/db';
import { withClient } from '../../../tests/support/fixtures';

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
});

// Applies the numbered SQL files in migrations/ in order, each in its own transaction,
// under an advisory lock so two workstations starting together cannot race.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract/result';
import { inTransaction, query, queryOne, withClient, type DbClient, type Queryable } from './database';
import { withOwnerDatabase, type OwnerDatabase } from './datasource';

interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const LOCK_KEY = 4_716_001; // arbitrary, fixed: the IMS migration lock
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

function readMigrations(dir: string): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const seen = new Set<number>();
  return files.map((name) => {
    const m = FILE_PATTERN.exec(name);
    if (!m) throw new AppError('VALIDATION', `Migration file "${name}" must be named NNNN_description.sql.`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new AppError('VALIDATION', `Two migration files share number ${m[1]}.`);
    seen.add(version);
    const sql = readFileSync(join(dir, name), 'utf8');
    return { version, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

async function ensureLedger(client: DbClient): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ims_meta`);
  await client.query(`CREATE TABLE IF NOT EXISTS ims_meta.schema_migration (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT session_user
  )`);
}

/** Refuses, with the file named, if an applied migration's file has since changed. */
function checkApplied(files: MigrationFile[], applied: Map<number, { name: string; checksum: string }>): void {
  for (const file of files) {
    const row = applied.get(file.version);
    if (row && row.checksum !== file.checksum) {
      throw new AppError(
        'CONFLICT',
        `Migration ${file.name} was changed after it was applied to this database. ` +
          `Restore the original file and add a new numbered migration for the change.`,
      );
    }
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function readApplied(db: Queryable): Promise<Map<number, { name: string; checksum: string }>> {
  const rows = await query<AppliedRow>(db, `SELECT version, name, checksum FROM ims_meta.schema_migration ORDER BY version`);
  return new Map(rows.map((r) => [r.version, { name: r.name, checksum: r.checksum }]));
}

/** Applies what is pending, as the schema owner. */
export async function migrate(
  owner: OwnerDatabase,
  dir: string,
  onProgress: (message: string) => void = () => {},
): Promise<MigrationReport> {
  const files = readMigrations(dir);
  return withOwnerDatabase(owner, 'IMS migrate', (ds) => withClient(ds, (client) => migrateOn(client, files, onProgress)));
}

// One session throughout: the advisory lock belongs to it, and each file runs as BEGIN ... COMMIT.
async function migrateOn(client: DbClient, files: MigrationFile[], onProgress: (message: string) => void): Promise<MigrationReport> {
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await ensureLedger(client);
    const applied = await readApplied(client);
    checkApplied(files, applied);
    const report: MigrationReport = { applied: [], alreadyApplied: applied.size };
    for (const file of files) {
      if (applied.has(file.version)) continue;
      onProgress(`Applying ${file.name}`);
      try {
        await inTransaction(client, async () => {
          await client.query(file.sql);
          await client.query(`INSERT INTO ims_meta.schema_migration (version, name, checksum) VALUES ($1, $2, $3)`, [
            file.version,
            file.name,
            file.checksum,
          ]);
        });
      } catch (error) {
        const e = error as Error & { position?: string };
        throw new AppError(
          'INTERNAL',
          `Migration ${file.name} failed and was rolled back: ${e.message}${e.position ? ` (at character ${e.position})` : ''}`,
        );
      }
      report.applied.push(file.name);
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
  }
}

/** Names of migration files not yet applied; for connections that may not run DDL. */
export async function pendingMigrations(db: Queryable, dir: string): Promise<string[]> {
  const files = readMigrations(dir);
  const ledger = await queryOne<{ present: boolean }>(db, `SELECT to_regclass('ims_meta.schema_migration') IS NOT NULL AS present`);
  if (!ledger?.present) return files.map((f) => f.name);
  const applied = await readApplied(db);
  checkApplied(files, applied);
  return files.filter((f) => !applied.has(f.version)).map((f) => f.name);
}

// Applies the numbered SQL files in migrations/ in order, each in its own transaction,
// under an advisory lock so two workstations starting together cannot race.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { AppError } from '../../contract/result';

export interface MigrationFile {
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

export function readMigrations(dir: string): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
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

async function ensureLedger(client: pg.ClientBase): Promise<void> {
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

async function readApplied(client: pg.ClientBase): Promise<Map<number, { name: string; checksum: string }>> {
  const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
    `SELECT version, name, checksum FROM ims_meta.schema_migration ORDER BY version`,
  );
  return new Map(rows.map((r) => [r.version, { name: r.name, checksum: r.checksum }]));
}

export async function migrate(
  connectionString: string,
  dir: string,
  onProgress: (message: string) => void = () => {},
): Promise<MigrationReport> {
  const files = readMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await ensureLedger(client);
    const applied = await readApplied(client);
    checkApplied(files, applied);
    const report: MigrationReport = { applied: [], alreadyApplied: applied.size };
    for (const file of files) {
      if (applied.has(file.version)) continue;
      onProgress(`Applying ${file.name}`);
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query(`INSERT INTO ims_meta.schema_migration (version, name, checksum) VALUES ($1, $2, $3)`, [
          file.version,
          file.name,
          file.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        const e = error as Error & { position?: string };
        throw new AppError('INTERNAL', `Migration ${file.name} failed and was rolled back: ${e.message}${e.position ? ` (at character ${e.position})` : ''}`);
      }
      report.applied.push(file.name);
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/** Names of migration files not yet applied; for connections that may not run DDL. */
export async function pendingMigrations(client: pg.ClientBase, dir: string): Promise<string[]> {
  const files = readMigrations(dir);
  const exists = await client.query(`SELECT to_regclass('ims_meta.schema_migration') IS NOT NULL AS present`);
  if (!exists.rows[0].present) return files.map((f) => f.name);
  const applied = await readApplied(client);
  checkApplied(files, applied);
  return files.filter((f) => !applied.has(f.version)).map((f) => f.name);
}

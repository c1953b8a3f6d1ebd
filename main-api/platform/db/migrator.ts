// Applies the numbered SQL files in migrations/ in order, each in its own transaction, which
// first locks the ledger: two workstations starting together take turns, file by file, and
// each file is applied once. Users can read the ledger but not lock it (that needs write
// privileges), so no one can hold the migrations up; and every wait has a timeout.
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
  /** WARNINGs the files raised: what the migrating role had no right to do, for a DBA (0030). */
  warnings: string[];
}

/** How long to wait for another workstation's migration file to finish. */
const LEDGER_WAIT = '10min';
/** How long a migration waits for a table another session is using (an open transaction). */
const TABLE_WAIT = '1min';
/** SQLSTATEs of a lost race to create the ledger: unique key of the catalogs, schema or table exists. */
const CREATED_MEANWHILE = new Set(['23505', '42P06', '42P07']);
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

/**
 * Creates the ledger if missing, in one transaction. On a fresh database two workstations
 * race here: the later one's statement waits for the earlier one's commit, then fails on the
 * catalog's unique keys, and the next attempt finds the ledger there.
 */
async function ensureLedger(client: DbClient): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(client, async () => {
        await client.query(`SET LOCAL lock_timeout = '${LEDGER_WAIT}'`);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ims_meta`);
        await client.query(`CREATE TABLE IF NOT EXISTS ims_meta.schema_migration (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          checksum   text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now(),
          applied_by text NOT NULL DEFAULT session_user
        )`);
      });
      return;
    } catch (error) {
      if (attempt < 3 && CREATED_MEANWHILE.has((error as { code?: string }).code ?? '')) continue;
      if (isLockTimeout(error)) throw anotherWorkstation();
      throw error;
    }
  }
}

function isLockTimeout(error: unknown): boolean {
  return (error as { code?: string }).code === '55P03';
}

function anotherWorkstation(): AppError {
  return new AppError(
    'UNAVAILABLE',
    `Another workstation has been updating the database structure for over ${LEDGER_WAIT.replace('min', ' minutes')}; try again when it has finished.`,
  );
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

// One session throughout; each file runs as BEGIN ... COMMIT, holding the ledger's lock.
async function migrateOn(client: DbClient, files: MigrationFile[], onProgress: (message: string) => void): Promise<MigrationReport> {
  const report: MigrationReport = { applied: [], alreadyApplied: 0, warnings: [] };
  const onNotice = (notice: { severity?: string; message?: string; hint?: string }): void => {
    if (notice.severity === 'WARNING') report.warnings.push([notice.message, notice.hint].filter(Boolean).join(' '));
  };
  client.on('notice', onNotice);
  try {
    return await applyPending(client, files, onProgress, report);
  } finally {
    client.off('notice', onNotice);
  }
}

async function applyPending(
  client: DbClient,
  files: MigrationFile[],
  onProgress: (message: string) => void,
  report: MigrationReport,
): Promise<MigrationReport> {
  await ensureLedger(client);
  let first = true;
  for (;;) {
    let current: MigrationFile | undefined;
    try {
      current = await inTransaction(client, async () => {
        // EXCLUSIVE: one migrating session at a time, while users may still read the ledger.
        await client.query(`SET LOCAL lock_timeout = '${LEDGER_WAIT}'`);
        await client.query(`LOCK TABLE ims_meta.schema_migration IN EXCLUSIVE MODE`);
        const applied = await readApplied(client);
        checkApplied(files, applied);
        if (first) report.alreadyApplied = applied.size;
        first = false;
        const file = files.find((f) => !applied.has(f.version));
        if (!file) return undefined;
        current = file;
        onProgress(`Applying ${file.name}`);
        await client.query(`SET LOCAL lock_timeout = '${TABLE_WAIT}'`);
        await client.query(file.sql);
        await client.query(`INSERT INTO ims_meta.schema_migration (version, name, checksum) VALUES ($1, $2, $3)`, [
          file.version,
          file.name,
          file.checksum,
        ]);
        return file;
      });
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (!current) throw isLockTimeout(error) ? anotherWorkstation() : error;
      if (isLockTimeout(error)) {
        throw new AppError(
          'UNAVAILABLE',
          `Migration ${current.name} waited over a minute for a table that another session is using, and was rolled back. ` +
            `Ask everyone to close IMS, then try again.`,
        );
      }
      const e = error as Error & { position?: string };
      throw new AppError(
        'INTERNAL',
        `Migration ${current.name} failed and was rolled back: ${e.message}${e.position ? ` (at character ${e.position})` : ''}`,
      );
    }
    if (!current) return report;
    report.applied.push(current.name);
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

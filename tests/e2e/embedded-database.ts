// The end-to-end host's embedded database, reached from the tests as its owner: to find a
// person with a given trait, and to take the database away underneath the application.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from '@playwright/test';
import { clusterDir } from '../../main-api/platform/db/embedded';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function pidFile(): string {
  const dataDir = process.env.IMS_E2E_DATA_DIR;
  if (!dataDir) throw new Error('IMS_E2E_DATA_DIR is set by playwright.config.ts');
  return join(clusterDir(dataDir, isRoot), 'postmaster.pid');
}

/** Runs one statement as the superuser (database: 'postgres' for ALTER DATABASE ims). */
export async function asOwner<T extends pg.QueryResultRow>(sql: string, database = 'ims'): Promise<T[]> {
  // postmaster.pid: line 1 the process id, line 4 the port.
  const port = Number(readFileSync(pidFile(), 'utf8').split('\n')[3]);
  const password = readFileSync(join(process.env.IMS_E2E_DATA_DIR!, 'db-superuser.secret'), 'utf8').trim();
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Stops the server as an outside fast shutdown would, and waits until it has gone. */
export async function stopDatabase(): Promise<void> {
  const file = pidFile();
  process.kill(Number(readFileSync(file, 'utf8').split('\n')[0]), 'SIGINT');
  await expect.poll(() => existsSync(file), { timeout: 20_000 }).toBe(false);
}

// Per-file isolation: each test file works in its own database cloned from the migrated template.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { withCredentials, withDatabase } from '../../main-api/platform/db/config';

export interface TestDatabase {
  name: string;
  /** Superuser (owner) URL for this database. */
  url: string;
  /** URL for the same database as another login role. */
  urlAs: (user: string, password: string) => string;
  /** Runs SQL as the owner. */
  query: <R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<pg.QueryResult<R>>;
  /** Runs SQL as the owner as a named prepared statement: planned once per connection, for a
   * statement run thousands of times (a sweep's fingerprint). */
  queryPrepared: <R extends pg.QueryResultRow = pg.QueryResultRow>(
    name: string,
    sql: string,
    params?: unknown[],
  ) => Promise<pg.QueryResult<R>>;
  drop: () => Promise<void>;
}

export async function createTestDatabase(opts: { template?: string } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = opts.template ?? inject('templateDb');
  const name = `ims_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle connection cut by the server would otherwise be an uncaught 'error' event that fails
  // the whole run with no test named; say so instead, and let the next query fail its test.
  pool.on('error', (e) => console.error(`test database ${name}: an idle owner connection was lost:`, e.message));
  return {
    name,
    url,
    urlAs: (user, password) => withCredentials(url, user, password),
    query: (sql, params) => pool.query(sql, params as unknown[]),
    queryPrepared: (statement, sql, params) => pool.query({ name: statement, text: sql, values: params as unknown[] }),
    drop: async () => {
      await pool.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A fresh empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ template: 'template0' });
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

// Connection pools, through TypeORM. The application's pool logs in as the signed-in user's own
// PostgreSQL role, so row-level security and audit apply to everything it does; the owner's
// pool (schema owner or superuser) serves migrations, user administration and bulk loads.
import pg from 'pg';
import { DataSource } from 'typeorm';
import { quoteIdentifier, queryOne, execute } from './database';

// DATE columns stay 'YYYY-MM-DD' strings (a JS Date would shift a date of birth across time
// zones); bigint ids and counts fit comfortably in a JS number. The parsers belong to these
// pools only, so that importing this module changes nothing for other pg connections.
const keepText = (v: string): string => v;
const toNumber = (v: string): number => Number(v);
const TYPE_PARSERS: Partial<Record<number, (value: string) => unknown>> = {
  [pg.types.builtins.DATE]: keepText,
  [pg.types.builtins.INT8]: toNumber,
  [pg.types.builtins.NUMERIC]: toNumber,
};
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text'
      ? (TYPE_PARSERS[oid] ?? pg.types.getTypeParser(oid, 'text'))
      : pg.types.getTypeParser(oid, 'binary')) as pg.CustomTypesConfig['getTypeParser'],
};

async function open(url: string, applicationName: string, poolSize: number): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, types },
  });
  await ds.initialize();
  return ds;
}

/** The signed-in user's pool: every query runs as their database role. */
export function openDataSource(url: string, applicationName = 'IMS'): Promise<DataSource> {
  return open(url, applicationName, 10);
}

/**
 * The schema owner's pool, for work ordinary roles may not do. Never handed to user handlers.
 * Small, because owner work is sequential (a command, the start-up, one bulk load).
 */
export function openOwnerDataSource(url: string, applicationName: string): Promise<DataSource> {
  return open(url, applicationName, 4);
}

/** The owner's database: an open pool, or a URL for a pool opened for one call. */
export type OwnerDatabase = DataSource | string;

/** Runs work on the owner's pool, opening (and afterwards closing) one if given a URL. */
export async function withOwnerDatabase<T>(
  owner: OwnerDatabase,
  applicationName: string,
  work: (ds: DataSource) => Promise<T>,
): Promise<T> {
  if (typeof owner !== 'string') return work(owner);
  const ds = await openOwnerDataSource(owner, applicationName);
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

/** Creates a database on the server unless it exists; `maintenanceUrl` names another database. */
export async function createDatabaseIfMissing(maintenanceUrl: string, name: string): Promise<void> {
  await withOwnerDatabase(maintenanceUrl, 'IMS set-up', async (ds) => {
    const exists = await queryOne<{ present: boolean }>(ds, 'SELECT true AS present FROM pg_database WHERE datname = $1', [name]);
    // CREATE DATABASE takes no parameters and cannot run in a transaction.
    if (!exists) await execute(ds, `CREATE DATABASE ${quoteIdentifier(name)}`);
  });
}

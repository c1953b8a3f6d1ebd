// One way to reach the database. TypeORM's DataSource is the pool and the transaction layer;
// repositories run parameterised SQL through query() and get typed rows back; set-based work
// that streams (COPY) or needs one session (advisory locks, SET) borrows one of the pool's own
// connections through withClient(). Nothing outside platform/ opens a connection of its own.
import pg from 'pg';
import type { DataSource, EntityManager, QueryResult, QueryRunner } from 'typeorm';

/** One connection lent by the pool: for COPY streams and session-level work. */
export type DbClient = pg.ClientBase;

/**
 * Anything SQL can run on: the pool, a transaction's manager, a query runner, or a connection
 * lent by withClient() (so the same repository code runs inside a COPY job's session).
 */
export type Queryable = DataSource | EntityManager | QueryRunner | DbClient;

interface RowsAndCount<Row> {
  rows: Row[];
  rowCount: number;
}

const DATA_SOURCE = Symbol.for('DataSource');
const ENTITY_MANAGER = Symbol.for('EntityManager');

// TypeORM marks its DataSource and EntityManager with a symbol (its own InstanceChecker reads
// the same mark), which holds even if two copies of the module are loaded.
function mark(db: Queryable): symbol | undefined {
  return '@instanceof' in db ? (db as { '@instanceof': symbol })['@instanceof'] : undefined;
}

/**
 * The structured result always carries the rows; the plain one returns [rows, count] for
 * UPDATE and DELETE, which a typed helper cannot tell from rows.
 */
async function onRunner<Row>(runner: QueryRunner, sql: string, params: unknown[], release: boolean): Promise<RowsAndCount<Row>> {
  try {
    const result: QueryResult<Row> = await runner.query(sql, params, true);
    return { rows: result.records, rowCount: result.affected ?? result.records.length };
  } finally {
    if (release) await runner.release();
  }
}

async function run<Row>(db: Queryable, sql: string, params: unknown[]): Promise<RowsAndCount<Row>> {
  const kind = mark(db);
  if (kind === DATA_SOURCE) return onRunner((db as DataSource).createQueryRunner(), sql, params, true);
  if (kind === ENTITY_MANAGER) {
    const manager = db as EntityManager;
    // Inside ds.transaction() the manager has its transaction's runner; otherwise borrow one.
    return manager.queryRunner
      ? onRunner(manager.queryRunner, sql, params, false)
      : onRunner(manager.dataSource.createQueryRunner(), sql, params, true);
  }
  if ('startTransaction' in db) return onRunner(db, sql, params, false);
  const result = await (db as DbClient).query(sql, params);
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
}

/** The rows of a parameterised statement, typed by the caller's row interface. */
export async function query<Row>(db: Queryable, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await run<Row>(db, sql, params)).rows;
}

/** The first row, or null when there is none. */
export async function queryOne<Row>(db: Queryable, sql: string, params: unknown[] = []): Promise<Row | null> {
  return (await run<Row>(db, sql, params)).rows[0] ?? null;
}

/** Runs a statement for its effect; returns how many rows it touched. */
export async function execute(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  return (await run<unknown>(db, sql, params)).rowCount;
}

/**
 * Lends one of the DataSource's own pooled connections for the length of `work`: COPY streams
 * and session state (SET, advisory locks, BEGIN ... COMMIT) need a single connection. The
 * connection comes through a TypeORM query runner, so TypeORM still tracks it, discards it if
 * it fails, and returns it to the pool afterwards.
 */
export async function withClient<T>(ds: DataSource, work: (client: DbClient) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  try {
    // For the postgres driver, connect() hands back the pg client the runner took from the pool.
    const client = (await runner.connect()) as pg.PoolClient;
    return await work(client);
  } finally {
    await runner.release();
  }
}

/**
 * Runs work in one transaction on a lent connection. Repositories on a DataSource use TypeORM's
 * ds.transaction(manager => ...) instead; this is for COPY jobs, which hold the client itself.
 * `rollback` undoes the work even when it succeeds (benchmarks that must leave no trace).
 */
export async function inTransaction<T>(client: DbClient, work: () => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
  await client.query('BEGIN');
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
  return result;
}

/** A name quoted for use as an SQL identifier (roles, databases): DDL takes no parameters. */
export const quoteIdentifier = (name: string): string => pg.escapeIdentifier(name);

/** A string quoted as an SQL literal, for the few DDL clauses that take no parameters. */
export const quoteLiteral = (value: string): string => pg.escapeLiteral(value);

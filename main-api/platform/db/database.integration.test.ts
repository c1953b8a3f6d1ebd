// The data-access helpers against the real server: the same typed query on every kind of
// runner, row counts for UPDATE, connections lent by the pool and returned, transactions on a
// lent connection, and the pools' own type parsers.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { execute, inTransaction, query, queryOne, withClient, type Queryable } from './database';
import { createDatabaseIfMissing, openOwnerDataSource, withOwnerDatabase } from './datasource';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../../tests/support/db';
import { withClient as withPlainClient } from '../../../tests/support/fixtures';

interface NoteRow {
  id: number;
  body: string;
  written_on: string;
}

describe('data access', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`CREATE TABLE public.note (id bigint PRIMARY KEY, body text NOT NULL, written_on date NOT NULL)`);
    ds = await openOwnerDataSource(db.url, 'IMS data access test');
  });
  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
  });

  it('runs the same typed query on the pool, a transaction, a query runner and a lent connection', async () => {
    await db.query(`INSERT INTO public.note VALUES (1, 'first', '2026-02-01')`);
    const select = (on: Queryable) => query<NoteRow>(on, `SELECT id, body, written_on FROM public.note WHERE id = $1`, [1]);
    const expected = [{ id: 1, body: 'first', written_on: '2026-02-01' }];
    expect(await select(ds)).toEqual(expected);
    expect(await select(ds.manager)).toEqual(expected);
    await ds.transaction(async (manager) => expect(await select(manager)).toEqual(expected));
    const runner = ds.createQueryRunner();
    try {
      expect(await select(runner)).toEqual(expected);
    } finally {
      await runner.release();
    }
    await withClient(ds, async (client) => expect(await select(client)).toEqual(expected));
    expect(await queryOne<NoteRow>(ds, `SELECT * FROM public.note WHERE id = 999`)).toBeNull();
  });

  it('gives the rows of UPDATE ... RETURNING and the count of a plain UPDATE on every runner', async () => {
    await db.query(`INSERT INTO public.note VALUES (2, 'second', '2026-02-02'), (3, 'third', '2026-02-03')`);
    // TypeORM's plain result for UPDATE is [rows, count]; the helpers must not mistake it for rows.
    const updated = await query<{ id: number }>(ds, `UPDATE public.note SET body = upper(body) WHERE id IN (2, 3) RETURNING id`);
    expect(updated.map((r) => r.id).sort()).toEqual([2, 3]);
    for (const on of [ds, ds.manager] as Queryable[]) {
      expect(await execute(on, `UPDATE public.note SET body = lower(body) WHERE id IN (2, 3)`)).toBe(2);
    }
    await withClient(ds, async (client) => {
      expect(await execute(client, `UPDATE public.note SET body = body WHERE id = 2`)).toBe(1);
    });
    expect(await execute(ds, `DELETE FROM public.note WHERE id = 3`)).toBe(1);
  });

  it('keeps DATE as its ISO text and bigint as a number on its own pools only', async () => {
    const row = await queryOne<{ big: number; day: string; amount: number }>(
      ds,
      `SELECT 9007199254740::bigint AS big, DATE '2024-02-29' AS day, 1.5::numeric AS amount`,
    );
    expect(row).toEqual({ big: 9007199254740, day: '2024-02-29', amount: 1.5 });
    // A plain pg connection in the same process keeps pg's defaults.
    const plain = await withPlainClient(db.url, async (c) => (await c.query(`SELECT 5::bigint AS big, DATE '2024-02-29' AS day`)).rows[0]);
    expect(plain.big).toBe('5');
    expect(plain.day).toBeInstanceOf(Date);
  });

  it('returns every lent connection to the pool, also when the work fails', async () => {
    // The owner's pool holds four connections: more loans than that only finish if each is returned.
    for (let i = 0; i < 10; i++) {
      await expect(withClient(ds, async () => Promise.reject(new Error(`loan ${i} failed`)))).rejects.toThrow(`loan ${i} failed`);
      await withClient(ds, (client) => client.query('SELECT 1'));
    }
    expect(await queryOne<{ ok: number }>(ds, 'SELECT 1 AS ok')).toEqual({ ok: 1 });
  });

  it('commits, rolls back on failure, and rolls back on request in a transaction on a lent connection', async () => {
    await withClient(ds, async (client) => {
      await inTransaction(client, () => execute(client, `INSERT INTO public.note VALUES (10, 'kept', '2026-03-01')`));
      await expect(
        inTransaction(client, async () => {
          await execute(client, `INSERT INTO public.note VALUES (11, 'lost', '2026-03-01')`);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const n = await inTransaction(client, () => execute(client, `INSERT INTO public.note VALUES (12, 'trial', '2026-03-01')`), {
        rollback: true,
      });
      expect(n).toBe(1);
      // The connection is out of any transaction again: a savepoint needs one.
      await expect(client.query('SAVEPOINT probe')).rejects.toThrow(/transaction blocks/);
    });
    const ids = await query<{ id: number }>(ds, `SELECT id FROM public.note WHERE id >= 10 ORDER BY id`);
    expect(ids).toEqual([{ id: 10 }]);
  });

  it('creates a database once, and opens and closes a pool around one call given a URL', async () => {
    const adminUrl = inject('adminUrl');
    const name = uniqueName('ims_t_created');
    try {
      await createDatabaseIfMissing(adminUrl, name);
      await createDatabaseIfMissing(adminUrl, name);
      const found = await withOwnerDatabase(adminUrl, 'IMS data access test', (admin) =>
        query<{ datname: string }>(admin, `SELECT datname FROM pg_database WHERE datname = $1`, [name]),
      );
      expect(found).toEqual([{ datname: name }]);
    } finally {
      await withOwnerDatabase(adminUrl, 'IMS data access test', (admin) => execute(admin, `DROP DATABASE IF EXISTS ${name}`));
    }
  });
});

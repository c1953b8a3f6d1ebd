// The status queue's SQL (ims.series_status_stale, migrations/0009_status_change_queue.sql):
// claiming stale persons, locking them while they are recomputed, and the population refresh's
// hold on drains while it builds from its snapshot.
import { query, type Queryable } from '../platform/db/database';

/** Namespace of the per-person advisory lock taken while one person's status is rewritten. */
const STATUS_LOCK = 4_716_002;

export type ClaimOrder = { newestFirst: true } | { newestFirst: false; afterId: number };

/**
 * Takes up to limit queued persons that the caller may recompute, inside the caller's
 * transaction: committing removes them from the queue, rolling back leaves them queued.
 * Entries that another drain holds are skipped, not waited for.
 */
export async function claimStalePersons(db: Queryable, limit: number, order: ClaimOrder): Promise<number[]> {
  const rows = await query<{ id: number | string }>(db, 'SELECT id FROM ims.series_status_claim($1, $2, $3) AS id', [
    limit,
    order.newestFirst,
    order.newestFirst ? 0 : order.afterId,
  ]);
  return rows.map((r) => Number(r.id));
}

/** Holds each person's lock until the transaction ends, taken in id order. */
export async function lockPersons(db: Queryable, personIds: readonly number[]): Promise<void> {
  if (personIds.length === 0) return;
  await query(db, `SELECT count(pg_advisory_xact_lock($1, s.id::integer)) AS n FROM (SELECT unnest($2::bigint[]) AS id ORDER BY 1) s`, [
    STATUS_LOCK,
    [...personIds],
  ]);
}

/** Owner only: waits for drains in progress, then makes later drains keep their entries. */
export async function holdDrains(db: Queryable): Promise<void> {
  await query(db, 'SELECT ims.series_status_hold_drains()');
}

/** Owner only: tells drains which changes the population refresh's snapshot includes. */
export async function publishRefreshSnapshot(db: Queryable, snapshot: string): Promise<void> {
  await query(
    db,
    `INSERT INTO ims.series_status_refresh_hold (snapshot) VALUES ($1::pg_snapshot)
     ON CONFLICT (only_row) DO UPDATE SET snapshot = excluded.snapshot`,
    [snapshot],
  );
}

export async function releaseDrains(db: Queryable): Promise<void> {
  await query(db, 'SELECT ims.series_status_release_drains()');
}

/**
 * Owner only: removes the entries a population refresh has covered: those last noted by a
 * transaction its snapshot saw, except for persons outside its set (personCondition, on alias
 * p). A person removed before the snapshot is covered too: the new partition has nothing for
 * them. Entries noted since the snapshot stay for the catch-up.
 */
export async function clearCoveredEntries(db: Queryable, personCondition: string, snapshot: string): Promise<number> {
  // Put as "not outside the set", the join is with the few persons outside it (none at all on
  // a full refresh) rather than with everyone: a quarter of the time after a bulk load.
  const [row] = await query<{ n: number }>(
    db,
    `WITH covered AS (
       DELETE FROM ims.series_status_stale q
       WHERE pg_visible_in_snapshot(q.noted_by, $1::pg_snapshot)
         AND NOT EXISTS (SELECT 1 FROM ims.person p WHERE p.id = q.person_id AND NOT (${personCondition}))
       RETURNING 1)
     SELECT count(*)::int AS n FROM covered`,
    [snapshot],
  );
  return row?.n ?? 0;
}

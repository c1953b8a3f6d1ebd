// The status queue's SQL (ims.series_status_stale, migrations/0009_status_change_queue.sql and
// 0025_status_locks_and_writes.sql): claiming stale persons, writing their recomputed rows, and
// the population refresh's locks and hold on drains while it builds from its snapshot.
//
// Every lock here is on a table only the schema owner may lock (taken by the owner, or inside a
// SECURITY DEFINER function), and every wait has a timeout: a user cannot hold any of them.
import { AppError } from '../contract/result';
import { query, queryOne, type Queryable } from '../platform/db/database';
import { isLockNotAvailable } from '../platform/db/errors';
import type { StatusRow } from './schedule-status.service';

export type ClaimOrder = { newestFirst: true } | { newestFirst: false; afterId: number };

/**
 * Takes up to limit queued persons that the caller may recompute, inside the caller's
 * transaction: the entries stay locked and marked as this transaction's until it ends, and
 * writing the persons' rows removes them. Entries another drain holds are skipped, not waited for.
 */
export async function claimStalePersons(db: Queryable, limit: number, order: ClaimOrder): Promise<number[]> {
  const rows = await query<{ id: number | string }>(db, 'SELECT id FROM ims.series_status_claim($1, $2, $3) AS id', [
    limit,
    order.newestFirst,
    order.newestFirst ? 0 : order.afterId,
  ]);
  return rows.map((r) => Number(r.id));
}

export interface PersonStatus {
  personId: number;
  /** No rows removes the person's status altogether. */
  rows: readonly StatusRow[];
}

/**
 * Replaces the rows of persons this transaction has claimed, in one call, through the audited
 * api.write_schedule_status (the only way users can write status). Returns the rows written.
 */
export async function writeClaimedStatus(db: Queryable, persons: readonly PersonStatus[], asOf: string): Promise<number> {
  if (persons.length === 0) return 0;
  const rows = persons.flatMap((p) =>
    p.rows.map((r) => ({
      person_id: p.personId,
      series_id: r.seriesId,
      kind: r.kind,
      series_name: r.name,
      status: r.status,
      next_dose: r.nextDose,
      due_date: r.dueDate,
      overdue_from: r.overdueFrom,
      latest_date: r.latestDate,
      rules_version: r.rulesVersion,
    })),
  );
  const row = await queryOne<{ n: number }>(db, 'SELECT api.write_schedule_status($1::bigint[], $2::jsonb, $3::date) AS n', [
    persons.map((p) => p.personId),
    JSON.stringify(rows),
    asOf,
  ]);
  return row?.n ?? 0;
}

/**
 * Owner only, inside the refresh's transaction: one population refresh at a time. Does not
 * wait: a second refresh is refused at once.
 */
export async function lockPopulationRefresh(db: Queryable): Promise<void> {
  try {
    await query(db, 'LOCK TABLE ims.series_status_refresh_lock IN EXCLUSIVE MODE NOWAIT');
  } catch (error) {
    if (isLockNotAvailable(error)) throw new AppError('CONFLICT', 'A status refresh is already running; try again when it has finished.');
    throw error;
  }
}

/** How long the refresh waits for drains in progress: a batch takes well under a second. */
const HOLD_TIMEOUT = '2min';

/**
 * Owner only, inside the refresh's transaction: waits for drains in progress to commit, so none
 * can finish after the snapshot is taken, and makes later drains keep their entries until the
 * transaction ends. Returns the refresh transaction's id, which its published snapshot carries.
 */
export async function holdDrains(db: Queryable): Promise<string> {
  await query(db, `SET LOCAL lock_timeout = '${HOLD_TIMEOUT}'`);
  try {
    await query(db, 'LOCK TABLE ims.series_status_drain_gate IN EXCLUSIVE MODE');
  } catch (error) {
    if (isLockNotAvailable(error)) {
      throw new AppError(
        'CONFLICT',
        `The status refresh waited ${HOLD_TIMEOUT.replace('min', ' minutes')} for status updates in progress to finish, and stopped without changing anything. A session may be holding one open; try again later.`,
      );
    }
    throw error;
  }
  await query(db, `SET LOCAL lock_timeout = '${WAIT_TIMEOUT}'`);
  const row = await queryOne<{ xid: string }>(db, 'SELECT pg_current_xact_id()::text AS xid');
  return row!.xid;
}

/**
 * Owner only, on a connection of its own (outside the refresh's transaction, so drains see it
 * at once): tells drains which changes the refresh's snapshot includes. Drains ignore it once
 * the refresh transaction has ended, however it ended.
 */
export async function publishRefreshSnapshot(db: Queryable, snapshot: string, refreshXid: string): Promise<void> {
  await query(
    db,
    `INSERT INTO ims.series_status_refresh_hold (snapshot, refresh_xid) VALUES ($1::pg_snapshot, $2::xid8)
     ON CONFLICT (only_row) DO UPDATE SET snapshot = excluded.snapshot, refresh_xid = excluded.refresh_xid`,
    [snapshot, refreshXid],
  );
}

/** Owner only, inside the refresh's transaction: the snapshot goes when the refresh commits. */
export async function unpublishRefreshSnapshot(db: Queryable): Promise<void> {
  await query(db, 'DELETE FROM ims.series_status_refresh_hold');
}

/**
 * Owner only: removes the entries a population refresh has covered: those last noted by a
 * transaction its snapshot saw, except for persons outside its set (personCondition, on alias
 * p). A person removed before the snapshot is covered too: the new partition has nothing for
 * them. Entries noted since the snapshot stay for the catch-up, and so do entries a session is
 * noting or claiming just now (skipped, not waited for): they will be noted again or drained.
 */
export async function clearCoveredEntries(db: Queryable, personCondition: string, snapshot: string): Promise<number> {
  // Put as "not outside the set", the join is with the few persons outside it (none at all on
  // a full refresh) rather than with everyone: a quarter of the time after a bulk load.
  const [row] = await query<{ n: number }>(
    db,
    `WITH picked AS MATERIALIZED (
       SELECT q.person_id FROM ims.series_status_stale q
       WHERE pg_visible_in_snapshot(q.noted_by, $1::pg_snapshot)
         AND NOT EXISTS (SELECT 1 FROM ims.person p WHERE p.id = q.person_id AND NOT (${personCondition}))
       FOR UPDATE OF q SKIP LOCKED),
     covered AS (
       DELETE FROM ims.series_status_stale d USING picked WHERE d.person_id = picked.person_id
       RETURNING 1)
     SELECT count(*)::int AS n FROM covered`,
    [snapshot],
  );
  return row?.n ?? 0;
}

/** How long the refresh waits for any other lock: a table another session is using. */
const WAIT_TIMEOUT = '60s';

/**
 * Owner only, for each of the refresh's connections: bounds its waits for locks (the swap's,
 * mostly; reading waits only for someone locking a table outright).
 */
export async function boundWaits(db: Queryable): Promise<void> {
  await query(db, `SET lock_timeout = '${WAIT_TIMEOUT}'`);
}

/** The refresh's plain-English message when a bounded wait ran out; null for other errors. */
export function waitTimeoutMessage(error: unknown): string | null {
  return isLockNotAvailable(error)
    ? `The status refresh waited ${WAIT_TIMEOUT.replace('s', ' seconds')} for a table another session was using, and stopped; the previous status is unchanged. Try again.`
    : null;
}

/** Whether at least n persons are waiting in the queue; stops counting at n. */
export async function queuedAtLeast(db: Queryable, n: number): Promise<boolean> {
  const row = await queryOne<{ enough: boolean }>(
    db,
    'SELECT count(*) >= $1 AS enough FROM (SELECT 1 FROM ims.series_status_stale LIMIT $1) q',
    [n],
  );
  return row?.enough === true;
}

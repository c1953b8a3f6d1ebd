// The population refresh of ims.series_status: every person in one streamed pass.
//
// One connection (the reader) streams persons with their events, flags and staff records
// (aggregated per person, ordered by id) out with COPY; the engine evaluates each person as
// the bytes arrive; a second connection (the writer) streams the status rows in with COPY to a
// new partition built off to the side, indexes it and swaps it in (DETACH the old, ATTACH the
// new). The writer does all of that in one transaction: readers see the old status until the
// new one is complete, and a refresh interrupted at any point (an error, a killed process or
// connection) leaves nothing behind: no half-built table, the old status and the queue as they
// were. Runs as the schema owner.
//
// The same transaction holds the refresh's locks, on tables only the owner can lock: one
// refresh at a time, and the hold on drains. Changes made while it runs are caught up through
// the status queue: drains are held (they keep their entries) from just before the snapshot is
// taken until the new partition is in place; then the entries the snapshot covered are cleared
// and the rest are drained.
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import { AppError } from '../contract/result';
import { CopyWriter, field } from '../platform/db/copy-writer';
import { openDataSource } from '../platform/db/datasource';
import { forecast, type CompiledRules, type EventInput, type NotGivenReason, type PersonInput } from '../schedule';
import { PROGRAMME_KIND_ANTIGENS } from '../forecast';
import { effectiveRules, rulesVersion } from '../schedule';
import { formatDay, parseDay } from '../shared/calendar/dates';
import { statusRows } from './schedule-status.service';
import { drainStatusQueue, inTransaction } from './status-queue.service';
import {
  boundWaits,
  clearCoveredEntries,
  holdDrains,
  lockPopulationRefresh,
  publishRefreshSnapshot,
  queuedAtLeast,
  unpublishRefreshSnapshot,
  waitTimeoutMessage,
} from './status-queue.repository';

const FLUSH_BYTES = 1 << 20;
/** Queued persons above which rebuilding every cohort fact row is cheaper than refreshing each. */
const COHORT_REBUILD_QUEUED = 50_000;

export interface RefreshProgress {
  phase: 'reading' | 'keeping' | 'indexing' | 'cohort-facts' | 'swapping' | 'child-register' | 'catching-up' | 'done';
  done: number;
  total: number;
}

export interface RefreshOptions {
  /** The date to assess everyone on. */
  asOf: string;
  /** Only persons younger than this on asOf (children: 19); other persons' rows are kept. */
  maxAgeYears?: number;
  onProgress?: (p: RefreshProgress) => void;
  /** A fixed rule set (tests); otherwise the set in force on asOf, imported files included. */
  rules?: CompiledRules;
  /** Test seam: runs once the refresh has taken its snapshot, before it reads anyone. */
  afterSnapshot?: () => Promise<void>;
}

export interface RefreshReport {
  asOf: string;
  persons: number;
  rows: number;
  /** Persons recomputed from the status queue after the swap: changed while the refresh ran, or outside it. */
  caughtUp: number;
  rulesVersion: string;
  seconds: number;
  /** Persons the engine could not evaluate (their rows are left out), with the first few ids. */
  failed: { count: number; personIds: number[]; firstError: string | null };
  /** Seconds per phase, for tuning. */
  phases: Record<string, number>;
}

/** Rows for the COPY into the new partition; the same columns as ims.series_status. */
const COLUMNS =
  'person_id, series_id, kind, series_name, status, next_dose, due_date, overdue_from, latest_date, computed_on, rules_version';

/**
 * Who is refreshed: born on or before asOf and, with maxAgeYears, born after the day they
 * would reach that age; plus, on such a partial refresh, everyone waiting in the status queue
 * (after a bulk load, the whole register). The reader evaluates this in its snapshot, taken
 * while drains are held, so the queue it sees is the queue at the snapshot. Both arguments are
 * validated before they reach the SQL text.
 */
function inSetCondition(asOf: string, maxAgeYears: number | undefined): string {
  let sql = `p.date_of_birth <= DATE '${asOf}'`;
  if (maxAgeYears !== undefined) {
    sql += ` AND p.date_of_birth > (DATE '${asOf}' - make_interval(years => ${maxAgeYears}))::date`;
    sql = `((${sql}) OR EXISTS (SELECT 1 FROM ims.series_status_stale w WHERE w.person_id = p.id))`;
  }
  return sql;
}

function readSql(condition: string): string {
  // COPY cannot take parameters; everything interpolated here is validated. Dates go out as
  // day numbers (days since 1970-01-01, the engine's own) and a dose given as just its day
  // and product: converting dates to text and concatenating strings per event was most of
  // the server's work. Flags and staff records are rare, so they are joined pre-aggregated.
  return `COPY (
    SELECT p.id, p.date_of_birth - DATE '1970-01-01', p.date_of_death - DATE '1970-01-01',
      (SELECT string_agg(CASE WHEN e.outcome = 'GIVEN' THEN (e.occurred_on - DATE '1970-01-01')::text || ',' || e.product_code
                              ELSE (e.occurred_on - DATE '1970-01-01')::text || ',' || coalesce(e.product_code, '') || ','
                                   || e.programme_code || ',' || e.not_given_reason END,
                         ';' ORDER BY e.occurred_on, e.id)
       FROM ims.vaccination_event e WHERE e.person_id = p.id AND e.status = 'ACTIVE'),
      f.items, s.items
    FROM ims.person p
    LEFT JOIN (SELECT person_id, string_agg(flag_code || ',' || from_date::text || ',' || coalesce(to_date::text, ''), ';') AS items
               FROM ims.clinical_flag GROUP BY person_id) f ON f.person_id = p.id
    LEFT JOIN (SELECT person_id, string_agg(CASE WHEN frontline THEN 't' ELSE 'f' END || ',' || from_date::text || ',' || coalesce(to_date::text, ''), ';') AS items
               FROM ims.staff_record GROUP BY person_id) s ON s.person_id = p.id
    WHERE ${condition}
    ORDER BY p.id
  ) TO STDOUT`;
}

/** Turns the aggregated text of one person into engine input. Antigen lists are shared. */
class InputDecoder {
  private readonly notGivenCache = new Map<string, string[]>();

  constructor(
    private readonly productAntigens: Map<string, string[]>,
    private readonly programmeKinds: Map<string, string>,
  ) {}

  /** A dose not given: its product's antigens, or the programme's when no product was named. */
  private notGivenAntigens(product: string, programme: string): string[] {
    const key = `${product}|${programme}`;
    let list = this.notGivenCache.get(key);
    if (list === undefined) {
      list =
        product !== ''
          ? (this.productAntigens.get(product) ?? [])
          : [...(PROGRAMME_KIND_ANTIGENS[this.programmeKinds.get(programme) ?? ''] ?? [])];
      this.notGivenCache.set(key, list);
    }
    return list;
  }

  /** 'day,product' for a dose given; 'day,product,programme,reason' for one not given; ';' between. */
  events(text: string): EventInput[] {
    if (text === '\\N') return [];
    const out: EventInput[] = [];
    let pos = 0;
    while (pos <= text.length) {
      let end = text.indexOf(';', pos);
      if (end === -1) end = text.length;
      const c1 = text.indexOf(',', pos);
      const date = formatDay(Number(text.slice(pos, c1)));
      const c2 = text.indexOf(',', c1 + 1);
      if (c2 === -1 || c2 > end) {
        out.push({ date, antigens: this.productAntigens.get(text.slice(c1 + 1, end)) ?? [], outcome: 'GIVEN', reason: null });
      } else {
        const c3 = text.indexOf(',', c2 + 1);
        out.push({
          date,
          antigens: this.notGivenAntigens(text.slice(c1 + 1, c2), text.slice(c2 + 1, c3)),
          outcome: 'NOT_GIVEN',
          reason: text.slice(c3 + 1, end) as NotGivenReason,
        });
      }
      pos = end + 1;
    }
    return out;
  }

  static flags(text: string): PersonInput['flags'] {
    if (text === '\\N') return [];
    return text.split(';').map((item) => {
      const [code, from, to] = item.split(',') as [string, string, string];
      return { code, from, to: to === '' ? null : to };
    });
  }

  static staff(text: string): NonNullable<PersonInput['staff']> {
    if (text === '\\N') return [];
    return text.split(';').map((item) => {
      const [frontline, from, to] = item.split(',') as [string, string, string];
      return { frontline: frontline === 't', from, to: to === '' ? null : to };
    });
  }
}

/** Pre-encoded COPY fields for values repeated on millions of rows. */
class FieldCache {
  private readonly map = new Map<string, Uint8Array>();
  get(value: string): Uint8Array {
    let f = this.map.get(value);
    if (f === undefined) {
      f = field(value);
      this.map.set(value, f);
    }
    return f;
  }
}

/**
 * One connection of the refresh's own pool, held throughout: COPY streams and session
 * settings need the same connection from start to end.
 */
async function holdConnection(ds: DataSource): Promise<{ client: pg.PoolClient; release: () => Promise<void> }> {
  const runner = ds.createQueryRunner();
  const client = (await runner.connect()) as pg.PoolClient;
  await client.query(`SET datestyle = ISO`);
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await boundWaits(client);
  return { client, release: () => runner.release() };
}

async function writeChunk(stream: NodeJS.WritableStream, chunk: Buffer, failed: () => Error | null): Promise<void> {
  const err = failed();
  if (err) throw err;
  if (!stream.write(chunk)) {
    // Whichever comes first, the other listener is removed, so waits do not pile up listeners.
    const done = new AbortController();
    try {
      await Promise.race([
        once(stream, 'drain', { signal: done.signal }),
        once(stream, 'error', { signal: done.signal }).then(([e]) => Promise.reject(e as Error)),
      ]);
    } finally {
      done.abort();
    }
  }
}

/**
 * Recomputes ims.series_status for everyone (or everyone younger than maxAgeYears) on asOf.
 * Connect with the schema owner's URL: it creates and swaps partitions.
 */
export async function refreshAllStatuses(ownerUrl: string, options: RefreshOptions): Promise<RefreshReport> {
  const { asOf, maxAgeYears } = options;
  if (Number.isNaN(parseDay(asOf))) throw new AppError('VALIDATION', `${asOf} is not a real date written YYYY-MM-DD.`);
  if (maxAgeYears !== undefined && !(Number.isInteger(maxAgeYears) && maxAgeYears > 0 && maxAgeYears <= 150)) {
    throw new AppError('VALIDATION', 'maxAgeYears must be a whole number of years between 1 and 150.');
  }
  const progress = options.onProgress ?? (() => {});
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let mark = t0;
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = (now - mark) / 1000;
    mark = now;
  };

  const ds = await openDataSource(ownerUrl, 'IMS status refresh');
  // The rule set in force on asOf, imported files included (or the one given, in tests).
  let rules: CompiledRules;
  try {
    rules = options.rules ?? (await effectiveRules(ds, asOf));
  } catch (error) {
    await ds.destroy().catch(() => {});
    throw error;
  }
  const version = rulesVersion(rules);
  const connections: { client: pg.PoolClient; release: () => Promise<void> }[] = [];
  let open = false;
  try {
    const writerConnection = await holdConnection(ds);
    connections.push(writerConnection);
    const writer = writerConnection.client;
    // ---- the writer's one transaction: everything up to the swap, or nothing
    await writer.query('BEGIN');
    open = true;
    await lockPopulationRefresh(writer);
    const readerConnection = await holdConnection(ds);
    connections.push(readerConnection);
    const reader = readerConnection.client;

    // Leftovers of refreshes run by earlier versions, which built the partition in a
    // transaction of its own: built partitions that never got attached.
    const stale = await writer.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'ims' AND c.relname LIKE 'series\\_status\\_g%' AND c.relkind = 'r' AND NOT c.relispartition`,
    );
    for (const s of stale.rows) await writer.query(`DROP TABLE ${s.name}`);

    const building = `ims.series_status_g${Date.now().toString(36)}`;
    await writer.query(`CREATE TABLE ${building} (LIKE ims.series_status INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    // A partial refresh takes everyone waiting in the queue, which may have just grown by a
    // whole register: the planner needs to know.
    if (maxAgeYears !== undefined) await reader.query('ANALYZE ims.series_status_stale');

    // ---- the snapshot: everything below is read in it, reference data included. Drains are
    // held first, so none can remove an entry for a change the snapshot does not include.
    const refreshXid = await holdDrains(writer);
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const condition = inSetCondition(asOf, maxAgeYears);
    const head = await reader.query<{ snapshot: string; started: string; total: string }>(
      `SELECT pg_current_snapshot()::text AS snapshot, now()::text AS started,
              (SELECT count(*) FROM ims.person p WHERE ${condition})::text AS total`,
    );
    const snapshot = head.rows[0]?.snapshot as string;
    const startedAt = head.rows[0]?.started as string;
    const total = Number(head.rows[0]?.total ?? 0);
    // On a third connection: drains must see it now, not when the writer commits.
    await publishRefreshSnapshot(ds, snapshot, refreshXid);
    await options.afterSnapshot?.();

    const productAntigens = new Map<string, string[]>();
    for (const r of (
      await reader.query<{ code: string; antigens: string[] }>(
        `SELECT product_code AS code, array_agg(antigen_code ORDER BY antigen_code) AS antigens FROM ims.product_antigen GROUP BY product_code`,
      )
    ).rows)
      productAntigens.set(r.code, r.antigens);
    const programmeKinds = new Map<string, string>();
    for (const r of (await reader.query<{ code: string; kind: string }>(`SELECT code, kind FROM ims.programme`)).rows)
      programmeKinds.set(r.code, r.kind);
    const decoder = new InputDecoder(productAntigens, programmeKinds);
    lap('prepare');

    // ---- stream out, evaluate, stream in
    progress({ phase: 'reading', done: 0, total });
    const sink = writer.query(copyFrom(`COPY ${building} (${COLUMNS}) FROM STDIN`));
    let sinkError: Error | null = null;
    sink.on('error', (e: Error) => (sinkError = e));
    const sinkDone = new Promise<void>((resolve, reject) => {
      sink.on('finish', resolve);
      sink.on('error', reject);
    });
    // Awaited later; a failure before then (the connection already gone) is not unhandled.
    sinkDone.catch(() => {});
    const source = reader.query(copyTo(readSql(condition)));

    const out = new CopyWriter(FLUSH_BYTES * 2);
    const fields = new FieldCache();
    const computedOn = field(asOf);
    let persons = 0;
    let rows = 0;
    let kept = 0;
    let rest = '';
    let lastReport = 0;

    const failed: RefreshReport['failed'] = { count: 0, personIds: [], firstError: null };
    const evaluateLine = (line: string): void => {
      const t1 = line.indexOf('\t');
      const t2 = line.indexOf('\t', t1 + 1);
      const t3 = line.indexOf('\t', t2 + 1);
      const t4 = line.indexOf('\t', t3 + 1);
      const t5 = line.indexOf('\t', t4 + 1);
      const id = line.slice(0, t1);
      const dod = line.slice(t2 + 1, t3);
      const person: PersonInput = {
        dateOfBirth: formatDay(Number(line.slice(t1 + 1, t2))),
        dateOfDeath: dod === '\\N' ? null : formatDay(Number(dod)),
        flags: InputDecoder.flags(line.slice(t4 + 1, t5)),
        staff: InputDecoder.staff(line.slice(t5 + 1)),
      };
      let f: ReturnType<typeof forecast>;
      try {
        f = forecast(rules, person, decoder.events(line.slice(t3 + 1, t4)), asOf, { explain: false });
      } catch (error) {
        // One malformed record must not stop the region's refresh; it is reported instead.
        failed.count++;
        if (failed.personIds.length < 20) failed.personIds.push(Number(id));
        failed.firstError ??= (error as Error).message;
        return;
      }
      // Sorted by series id, the new partition's primary key index builds from ordered input.
      const personRows = statusRows(rules, f).sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0));
      for (const r of personRows) {
        out.ascii(id).bytes(fields.get(r.seriesId)).ascii(r.kind).bytes(fields.get(r.name)).ascii(r.status);
        if (r.nextDose === null) out.null();
        else out.uint(r.nextDose);
        if (r.dueDate === null) out.null();
        else out.ascii(r.dueDate);
        if (r.overdueFrom === null) out.null();
        else out.ascii(r.overdueFrom);
        if (r.latestDate === null) out.null();
        else out.ascii(r.latestDate);
        out.bytes(computedOn).bytes(fields.get(r.rulesVersion));
        out.endRow();
        rows++;
      }
      persons++;
    };

    const utf8 = new StringDecoder('utf8');
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const text = rest + utf8.write(chunk);
        let start = 0;
        let nl = text.indexOf('\n', start);
        while (nl !== -1) {
          evaluateLine(text.slice(start, nl));
          start = nl + 1;
          nl = text.indexOf('\n', start);
        }
        rest = text.slice(start);
        if (out.length >= FLUSH_BYTES) await writeChunk(sink, out.take(), () => sinkError);
        if (persons - lastReport >= 10_000) {
          lastReport = persons;
          progress({ phase: 'reading', done: persons, total });
        }
      }
      rest += utf8.end();
      if (rest.length > 0) evaluateLine(rest);
      if (out.length > 0) await writeChunk(sink, out.take(), () => sinkError);
      progress({ phase: 'reading', done: persons, total });
      lap('evaluate');

      // ---- carry forward everyone outside the refreshed set (adults on a children's run), as
      // the snapshot has them: in the same stream, so reader and writer agree on who is in.
      progress({ phase: 'keeping', done: persons, total });
      const keep = reader.query(
        copyTo(`COPY (SELECT ${COLUMNS.split(', ')
          .map((c) => `s.${c}`)
          .join(', ')}
                FROM ims.series_status s JOIN ims.person p ON p.id = s.person_id
                WHERE NOT (${condition})) TO STDOUT`),
      );
      for await (const chunk of keep as AsyncIterable<Buffer>) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) kept++;
        await writeChunk(sink, chunk, () => sinkError);
      }
      sink.end();
      await sinkDone;
      await reader.query('COMMIT');
    } catch (error) {
      // Abort the COPY in (the server discards it) so the connection can clean up.
      sink.destroy(error as Error);
      await sinkDone.catch(() => {});
      throw error;
    }
    lap('keep');

    // ---- indexes like the parent's (ATTACH adopts matching ones instead of building its
    // own), on the writer: the table exists only in its transaction. Each build can use
    // parallel workers (max_parallel_maintenance_workers), as the two connections did before.
    progress({ phase: 'indexing', done: persons, total });
    const bare = building.slice('ims.'.length);
    await writer.query(`CREATE UNIQUE INDEX ${bare}_key ON ${building} (person_id, series_id)`);
    await writer.query(`CREATE INDEX ON ${building} (series_id, status, overdue_from) WHERE status IN ('DUE', 'OVERDUE')`);
    await writer.query(`CREATE INDEX ON ${building} (due_date, series_id) WHERE due_date IS NOT NULL`);
    await writer.query(`ALTER TABLE ${building} ADD CONSTRAINT ${bare}_pkey PRIMARY KEY USING INDEX ${bare}_key`);
    await writer.query(`ANALYZE ${building}`);
    lap('index');

    // ---- the cohort facts: rebuilt for everyone in the same transaction, classified as of the
    // refresh's day, on a refresh of everyone or when many are queued (after a bulk load); the
    // queue entries cleared next then need nothing more. Otherwise (the nightly children's run)
    // clearing the few queued entries refreshes their facts one by one, as a drain does.
    const queued = await writer.query<{ n: string }>('SELECT count(*) AS n FROM ims.series_status_stale');
    if (maxAgeYears === undefined || Number(queued.rows[0]?.n ?? 0) > COHORT_REBUILD_QUEUED) {
      progress({ phase: 'cohort-facts', done: persons, total });
      await writer.query('SELECT ims.cohort_facts_rebuild($1)', [asOf]);
    }
    lap('cohort-facts');

    // ---- the queue: entries the snapshot covered are done (at the commit, with the swap)
    await clearCoveredEntries(writer, condition, snapshot);
    lap('clear');

    progress({ phase: 'swapping', done: persons, total });
    const old = await writer.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE i.inhparent = 'ims.series_status'::regclass`,
    );
    for (const o of old.rows) {
      await writer.query(`ALTER TABLE ims.series_status DETACH PARTITION ${o.name}`);
      await writer.query(`DROP TABLE ${o.name}`);
    }
    await writer.query(`ALTER TABLE ims.series_status ATTACH PARTITION ${building} FOR VALUES FROM (MINVALUE) TO (MAXVALUE)`);
    // The child register derives from the status just swapped in (the swap bypasses the queue
    // it otherwise follows), so it is rebuilt in the same transaction, on every refresh.
    progress({ phase: 'child-register', done: persons, total });
    await writer.query('SELECT ims.child_status_rebuild($1)', [asOf]);
    lap('child-register');
    await unpublishRefreshSnapshot(writer);
    await writer.query('COMMIT');
    open = false;
    lap('swap');

    // ---- drains may go on; the rest of the queue (changed while the refresh ran, or outside
    // its age band) is drained here
    progress({ phase: 'catching-up', done: 0, total: 0 });
    const caughtUp = await drainStatusQueue(inTransaction(ds), {
      asOf,
      rules,
      onBatch: (done) => progress({ phase: 'catching-up', done, total: done }),
    });
    for (const f of caughtUp.failed) {
      failed.count++;
      if (failed.personIds.length < 20) failed.personIds.push(f.personId);
      failed.firstError ??= f.error;
    }
    lap('catch-up');

    const seconds = (performance.now() - t0) / 1000;
    await writer.query(
      `INSERT INTO ims.series_status_refresh (as_of, max_age_years, persons, rows_written, rules_version, started_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [asOf, maxAgeYears ?? null, persons, rows, version, startedAt],
    );
    progress({ phase: 'done', done: persons, total });
    return { asOf, persons, rows: rows + kept, caughtUp: caughtUp.persons, failed, rulesVersion: version, seconds, phases };
  } catch (error) {
    const message = waitTimeoutMessage(error);
    throw message ? new AppError('CONFLICT', message) : error;
  } finally {
    // Rolling back drops the table being built and lets go of the locks; closing the pool ends
    // the sessions, and an abandoned read's transaction goes with them.
    if (open) await connections[0]?.client.query('ROLLBACK').catch(() => {});
    for (const c of connections) await c.release().catch(() => {});
    await ds.destroy().catch(() => {});
  }
}

/**
 * Queued persons beyond which the population refresh is run rather than leaving them to users'
 * drains. A drain recomputes about 500 persons a second (each read through the audited
 * functions; README, "Speed at regional scale"), in a background job that works 20 seconds in
 * every 30: this many are caught up within its first run. The refresh evaluates some 20,000 a
 * second but rebuilds and indexes the whole table, so below this it is not worth it.
 */
export const FAR_BEHIND = 5_000;

/**
 * Runs the population refresh if the status queue holds more than FAR_BEHIND persons: after a
 * bulk load, or a load or refresh that was interrupted (the queue still holds everyone then,
 * and the old status, empty after a first load, is what worklists would show). Owner only.
 */
export async function refreshIfFarBehind(ownerUrl: string, options: RefreshOptions): Promise<RefreshReport | null> {
  const ds = await openDataSource(ownerUrl, 'IMS status check');
  let behind: boolean;
  try {
    behind = await queuedAtLeast(ds, FAR_BEHIND + 1);
  } finally {
    await ds.destroy().catch(() => {});
  }
  return behind ? refreshAllStatuses(ownerUrl, options) : null;
}

// Draining the status queue: the database notes every person whose schedule status a write may
// have changed (migrations/0009_status_change_queue.sql), whoever wrote; this recomputes them.
//
// A batch is claimed, recomputed and written in one transaction, so a drain that fails (the
// connection drops, a write is refused) leaves its persons queued for the next one. Who may
// drain whom is decided in the database: a signed-in user claims only persons they can see,
// and the rest wait for someone who can (see ims.series_status_claim).
import type { DataSource } from 'typeorm';
import { effectiveRules, forecast, type CompiledRules } from '../schedule';
import { loadPersonForecastInputs } from '../forecast';
import type { Queryable } from '../platform/db/database';
import type { Job, UserContext } from '../platform/registration';
import { statusRows, type StatusRow } from './schedule-status.service';
import { claimStalePersons, writeClaimedStatus, type ClaimOrder, type PersonStatus } from './status-queue.repository';

const DRAIN_BATCH = 200;
/** How often the signed-in user's background drain runs. */
const DRAIN_EVERY_MS = 30_000;
/** A background run stops after this long and carries on from where it stopped next time. */
const JOB_BUDGET_MS = 20_000;

/** Runs work in one transaction: a DataSource's, or one queued behind other drains. */
export type InTransaction = <T>(work: (db: Queryable) => Promise<T>) => Promise<T>;

export function inTransaction(ds: DataSource): InTransaction {
  return (work) => ds.transaction((manager) => work(manager));
}

interface DrainFailure {
  personId: number;
  error: string;
}

export interface BatchResult {
  /** Persons claimed and recomputed. */
  persons: number;
  /** The highest id claimed (for the next batch's cursor), or null if none. */
  lastId: number | null;
  /** Persons the engine could not evaluate: their rows are removed and the error reported. */
  failed: DrainFailure[];
}

export interface DrainOptions {
  asOf: string;
  /** A fixed rule set (tests); otherwise the set in force on asOf, imported files included. */
  rules?: CompiledRules;
  batchSize?: number;
}

/** Claims one batch in the given order, recomputes each person on asOf and writes their rows. */
export async function drainBatch(transaction: InTransaction, order: ClaimOrder, options: DrainOptions): Promise<BatchResult> {
  return transaction(async (db) => {
    const ids = (await claimStalePersons(db, options.batchSize ?? DRAIN_BATCH, order)).sort((a, b) => a - b);
    if (ids.length === 0) return { persons: 0, lastId: null, failed: [] };
    // Resolved per batch, so an imported file activated meanwhile is used from the next batch.
    const rules = options.rules ?? (await effectiveRules(db, options.asOf));
    // The claim locks each person's entry until this transaction ends, so no other drain can
    // recompute them meanwhile and an older history's status can never be written last.
    const failed: DrainFailure[] = [];
    const persons: PersonStatus[] = [];
    // One audited read for the whole batch (0029), not four per person.
    const inputs = await loadPersonForecastInputs(db, ids, 'schedule status refresh');
    for (const id of ids) {
      const input = inputs.get(id);
      // A person who no longer exists has no status: the owner's drain removes their rows
      // (to everyone else they are invisible, and so are the rows).
      let rows: StatusRow[] = [];
      if (input) {
        try {
          rows = statusRows(rules, forecast(rules, input.person, input.events, options.asOf, { explain: false }));
        } catch (error) {
          // Evaluating the same record again would fail again. Like the population refresh,
          // report it and leave the person without rows rather than with a status now wrong.
          failed.push({ personId: id, error: (error as Error).message });
        }
      }
      persons.push({ personId: id, rows });
    }
    await writeClaimedStatus(db, persons, options.asOf);
    return { persons: ids.length, lastId: ids[ids.length - 1] ?? null, failed };
  });
}

export interface DrainReport {
  persons: number;
  failed: DrainFailure[];
  /** False when the deadline came first: entries are left for the next drain. */
  complete: boolean;
}

/**
 * Drains everything the caller may recompute, in ascending id order from a cursor, until a
 * pass over the queue finds nothing more (a few passes at most: entries noted behind the
 * cursor while it moves are picked up by the next pass), or until the deadline.
 */
export async function drainStatusQueue(
  transaction: InTransaction,
  options: DrainOptions & {
    deadline?: number;
    onBatch?: (persons: number) => void;
    startAfter?: number;
    onCursor?: (afterId: number) => void;
  },
): Promise<DrainReport> {
  const batch = options.batchSize ?? DRAIN_BATCH;
  const report: DrainReport = { persons: 0, failed: [], complete: false };
  let afterId = options.startAfter ?? 0;
  for (let pass = 0; pass < 5; pass++) {
    let claimedThisPass = 0;
    for (;;) {
      if (options.deadline !== undefined && Date.now() >= options.deadline) {
        options.onCursor?.(afterId);
        return report;
      }
      const r = await drainBatch(transaction, { newestFirst: false, afterId }, options);
      report.persons += r.persons;
      report.failed.push(...r.failed);
      claimedThisPass += r.persons;
      if (r.persons > 0) options.onBatch?.(report.persons);
      if (r.lastId !== null) afterId = r.lastId;
      if (r.persons < batch) break;
    }
    afterId = 0;
    options.onCursor?.(0);
    if (claimedThisPass === 0) break;
  }
  report.complete = true;
  return report;
}

/**
 * The signed-in user's drains. One batch at a time per user (their pool): a drain after a call
 * waits for at most one batch of the background job, and calls arriving together share one.
 */
class StatusQueueDrainer {
  private tail: Promise<unknown> = Promise.resolve();
  private pending: Promise<void> | null = null;
  private cursor = 0;

  constructor(
    private readonly ctx: UserContext,
    private readonly rules?: CompiledRules,
  ) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => {});
    return run;
  }

  private reportFailures(failed: DrainFailure[]): void {
    for (const f of failed) this.ctx.log(`The schedule status of person ${f.personId} could not be worked out: ${f.error}`);
  }

  /**
   * After a call: the newest entries the user can see, which include whatever the call itself
   * changed, so what the user reads next is current. Never fails the call: the status is
   * derived data, its entries stay queued and the background job tries again.
   */
  afterCall(): Promise<void> {
    if (this.pending) return this.pending;
    const run = this.serial(() => {
      // From here on, a new call needs a drain of its own that starts after its write.
      this.pending = null;
      return drainBatch(inTransaction(this.ctx.ds), { newestFirst: true }, { asOf: this.ctx.today(), rules: this.rules });
    }).then(
      (r) => this.reportFailures(r.failed),
      (error: unknown) =>
        this.ctx.log('Could not bring schedule statuses up to date after a change; the background job will try again', error),
    );
    this.pending = run;
    return run;
  }

  /** The background job: everything queued that the user can see, a batch at a time. */
  job(): Job {
    return {
      name: 'schedule status drain',
      everyMs: DRAIN_EVERY_MS,
      run: async () => {
        const deadline = Date.now() + JOB_BUDGET_MS;
        const inTurn = inTransaction(this.ctx.ds);
        const report = await drainStatusQueue(
          // Each batch takes its turn with the drains after calls.
          (work) => this.serial(() => inTurn(work)),
          {
            asOf: this.ctx.today(),
            rules: this.rules,
            deadline,
            startAfter: this.cursor,
            onCursor: (afterId) => (this.cursor = afterId),
          },
        );
        this.reportFailures(report.failed);
      },
    };
  }
}

export interface StatusRegistration {
  jobs: Job[];
  /** Call after every call a user makes: drains what it (or anyone) changed that they can see. */
  afterCall: () => Promise<void>;
}

export function register(ctx: UserContext): StatusRegistration {
  const drainer = new StatusQueueDrainer(ctx);
  return { jobs: [drainer.job()], afterCall: () => drainer.afterCall() };
}

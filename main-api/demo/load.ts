// Loads the synthetic demo region into the current database: reference rows idempotently, then
// people, contact details, clinical flags, staff records and vaccination histories streamed
// with COPY in one transaction, so a failed load leaves nothing behind.
import { once } from 'node:events';
import { from as copyFrom } from 'pg-copy-streams';
import { AppError, fieldError } from '../contract/result';
import { inTransaction, withClient, type DbClient } from '../platform/db/database';
import { withOwnerDatabase, type OwnerDatabase } from '../platform/db/datasource';
import { requireDay } from '../shared/calendar/dates';
import { CONTACT_COLUMNS, DEMO_AS_OF, DemoGenerator, FLAG_COLUMNS, PERSON_COLUMNS, STAFF_COLUMNS } from './generate';
import { EVENT_COLUMNS, HistoryGenerator, REACTION_COLUMNS, firstEventId, type HistorySummary } from './histories';
import { prepareCatalogue } from './histories-catalogue';
import { HistoryPeople } from './histories-people';
import { DEMO_FIRST_STEM, NhsNumberSequence, demoCapacityFrom, stemAfter } from './nhs-sequence';
import { insertReferenceData, readDemoRegion, type DemoNames, type DemoRegion, type ReferenceCounts } from './region';

export interface DemoProgress {
  phase: 'reference' | 'persons' | 'contacts' | 'flags' | 'staff' | 'histories' | 'indexes' | 'analyse' | 'done';
  done: number;
  total: number;
}

export interface DemoOptions {
  persons: number;
  seed: number;
  /** Add to a register that already has people (ids and NHS numbers continue after theirs). */
  append?: boolean;
  onProgress?: (p: DemoProgress) => void;
  /** Reference date for ages and school years; fixed by default so a seed always means the same people. */
  asOf?: string;
  /** Vaccination histories for the new people (default true). */
  histories?: boolean;
}

export interface DemoSummary {
  persons: number;
  contactDetails: number;
  clinicalFlags: number;
  staffRecords: number;
  /** Vaccination histories: events, adverse reactions, batches, and the seconds the phase took. */
  histories: HistorySummary;
  /** Reference rows that were new to this database, per table. */
  reference: ReferenceCounts;
  firstPersonId: number;
  lastPersonId: number;
  /** Whether secondary indexes and foreign keys were dropped and restored around the load. */
  rebuiltIndexes: boolean;
  seconds: number;
}

export interface BenchRow {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * From this many people into an empty register, the load drops the bulk tables' secondary
 * indexes and foreign keys and restores them afterwards: checking each row's six foreign keys
 * and updating nine indexes costs about four times the insert itself, while restoring them
 * takes one set-based pass each. Measured on 200,000 people: 11.9 s of server CPU kept, 4.6 s
 * dropped and restored.
 */
const FAST_PATH_FROM = 20_000;
const CHUNK = 5_000;
const BULK_TABLES = [
  'ims.person',
  'ims.contact_details',
  'ims.clinical_flag',
  'ims.staff_record',
  'ims.vaccination_event',
  'ims.adverse_reaction',
];
const NO_HISTORIES: HistorySummary = { events: 0, given: 0, notGiven: 0, reactions: 0, batches: 0, seconds: 0 };

export function bulkLoadReason(seed: number, persons: number): string {
  return `demo region, seed ${seed}, ${persons} persons`;
}

/** Streams buffers into one COPY ... FROM STDIN, respecting back-pressure. */
export async function copyInto(
  client: DbClient,
  table: string,
  columns: readonly string[],
  source: Iterable<Buffer>,
  onChunk?: () => void,
): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  let failure: Error | null = null;
  stream.on('error', (e: Error) => (failure = e));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  try {
    for (const buf of source) {
      if (failure) break;
      if (buf.length && !stream.write(buf)) await Promise.race([once(stream, 'drain'), finished]);
      onChunk?.();
    }
  } catch (error) {
    // Abandon the COPY (the server gets CopyFail) so the connection can roll back.
    stream.destroy(error as Error);
    await finished.catch(() => {});
    throw error;
  }
  stream.end();
  await finished;
}

interface SavedDefinition {
  table: string;
  name: string;
  definition: string;
}

/** Secondary indexes (not those behind primary keys or unique constraints) of the bulk tables. */
async function secondaryIndexes(client: DbClient): Promise<SavedDefinition[]> {
  const { rows } = await client.query<SavedDefinition>(
    `SELECT i.indrelid::regclass::text AS table, format('%I.%I', n.nspname, ic.relname) AS name,
            pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE i.indrelid = ANY ($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY ic.relname`,
    [BULK_TABLES],
  );
  return rows;
}

/** Foreign keys held by the bulk tables: each is checked row by row during COPY. */
async function foreignKeys(client: DbClient): Promise<SavedDefinition[]> {
  const { rows } = await client.query<SavedDefinition>(
    `SELECT conrelid::regclass::text AS table, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint
      WHERE contype = 'f' AND conrelid = ANY ($1::regclass[])
      ORDER BY conrelid::regclass::text, conname`,
    [BULK_TABLES],
  );
  return rows;
}

export interface LoadPlan {
  region: DemoRegion;
  names: DemoNames;
  /** Test seam: where NHS numbers come from (the 999 range by default). */
  nhsNumbers?: { next(): string };
  /** Test seam: overrides FAST_PATH_FROM. */
  fastPathFrom?: number;
}

/** Runs the load inside the caller's open transaction. */
async function loadInTransaction(client: DbClient, opts: DemoOptions, plan: LoadPlan): Promise<Omit<DemoSummary, 'seconds'>> {
  const progress = opts.onProgress ?? (() => {});
  const total = opts.persons;
  await client.query(`SELECT set_config('ims.bulk_load_reason', $1, true)`, [bulkLoadReason(opts.seed, opts.persons)]);
  // Index builds after a big load go faster with more sort memory; only for this transaction.
  await client.query(`SET LOCAL maintenance_work_mem = '512MB'`);
  // One demo load at a time; readers carry on.
  await client.query('LOCK TABLE ims.person IN SHARE ROW EXCLUSIVE MODE');

  const state = await client.query<{ max_id: string | null; any_person: boolean; last_demo: string | null }>(
    `SELECT (SELECT max(id) FROM ims.person)::text AS max_id,
            EXISTS (SELECT 1 FROM ims.person) AS any_person,
            (SELECT nhs_number FROM ims.person WHERE nhs_number BETWEEN '9990000000' AND '9999999999'
              ORDER BY nhs_number DESC LIMIT 1) AS last_demo`,
  );
  const { max_id, any_person, last_demo } = state.rows[0]!;
  if (any_person && !opts.append) {
    throw new AppError(
      'CONFLICT',
      'The register already has people in it. Load the demo region into an empty database, or add to it with --append.',
    );
  }
  const firstStem = stemAfter(last_demo);
  if (!plan.nhsNumbers) {
    const capacity = demoCapacityFrom(firstStem);
    if (opts.persons > capacity) {
      throw fieldError(
        'persons',
        `The synthetic NHS number range (999 000 0000 to 999 999 9999) has room for ${capacity} more people; ${opts.persons} were asked for.`,
      );
    }
  }

  progress({ phase: 'reference', done: 0, total: 1 });
  const reference = await insertReferenceData(client, plan.region);
  progress({ phase: 'reference', done: 1, total: 1 });

  const firstId = Number(max_id ?? 0) + 1;
  const rebuild = !any_person && opts.persons >= (plan.fastPathFrom ?? FAST_PATH_FROM);
  const indexes = rebuild ? await secondaryIndexes(client) : [];
  const keys = rebuild ? await foreignKeys(client) : [];
  for (const fk of keys) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.name}`);
  for (const idx of indexes) await client.query(`DROP INDEX ${idx.name}`);

  const historyPeople = opts.histories === false ? undefined : new HistoryPeople();
  const generator = new DemoGenerator(plan.region, plan.names, {
    seed: opts.seed,
    firstId,
    nhsNumbers: plan.nhsNumbers ?? new NhsNumberSequence(firstStem),
    asOf: opts.asOf,
    histories: historyPeople,
  });
  // People go first; what hangs off them waits in memory so its foreign keys find their person.
  const contacts: Buffer[] = [];
  const flags: Buffer[] = [];
  const staff: Buffer[] = [];
  let made = 0;
  let flagCount = 0;
  let staffCount = 0;
  function* people(): Generator<Buffer> {
    while (made < total) {
      const n = Math.min(CHUNK, total - made);
      const chunk = generator.chunk(n);
      made += n;
      contacts.push(chunk.contact);
      flags.push(chunk.flag);
      staff.push(chunk.staff);
      flagCount += chunk.flags;
      staffCount += chunk.staffRecords;
      yield chunk.person;
    }
  }
  progress({ phase: 'persons', done: 0, total });
  await copyInto(client, 'ims.person', PERSON_COLUMNS, people(), () => progress({ phase: 'persons', done: made, total }));

  const drain = async (
    phase: DemoProgress['phase'],
    table: string,
    columns: readonly string[],
    bufs: Buffer[],
    rows: number,
  ): Promise<void> => {
    let done = 0;
    progress({ phase, done: 0, total: rows });
    function* take(): Generator<Buffer> {
      // Release each buffer once written so memory falls as the copy proceeds.
      for (let i = 0; i < bufs.length; i++) {
        const b = bufs[i]!;
        bufs[i] = Buffer.alloc(0);
        done += Math.round(rows / bufs.length);
        yield b;
      }
    }
    await copyInto(client, table, columns, take(), () => progress({ phase, done: Math.min(done, rows), total: rows }));
    progress({ phase, done: rows, total: rows });
  };
  await drain('contacts', 'ims.contact_details', CONTACT_COLUMNS, contacts, total);
  await drain('flags', 'ims.clinical_flag', FLAG_COLUMNS, flags, flagCount);
  await drain('staff', 'ims.staff_record', STAFF_COLUMNS, staff, staffCount);
  const histories = historyPeople ? await loadHistories(client, historyPeople, opts, plan, progress, rebuild) : NO_HISTORIES;

  if (rebuild) {
    // Statistics first, so that checking each restored foreign key plans a hash join.
    progress({ phase: 'analyse', done: 0, total: 1 });
    await analyse(client);
    const steps = keys.length + indexes.length;
    progress({ phase: 'indexes', done: 0, total: steps });
    let step = 0;
    for (const fk of keys) {
      await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.name} ${fk.definition}`);
      progress({ phase: 'indexes', done: ++step, total: steps });
    }
    for (const idx of indexes) {
      await client.query(idx.definition);
      progress({ phase: 'indexes', done: ++step, total: steps });
    }
  }
  // Ids were assigned here, so move the identity past them for rows added later.
  await client.query(`SELECT setval(pg_get_serial_sequence('ims.person', 'id'), $1)`, [firstId + total - 1]);

  return {
    persons: total,
    contactDetails: total,
    clinicalFlags: flagCount,
    staffRecords: staffCount,
    histories,
    reference,
    firstPersonId: firstId,
    lastPersonId: firstId + total - 1,
    rebuiltIndexes: rebuild,
  };
}

/**
 * The histories phase: batches first (the events refer to them), then the events streamed
 * with COPY as they are generated, then the few adverse reactions, which refer to events.
 */
async function loadHistories(
  client: DbClient,
  people: HistoryPeople,
  opts: DemoOptions,
  plan: LoadPlan,
  progress: (p: DemoProgress) => void,
  /** Into an empty register: skip the per-row insert trigger and check its rules once, set-based. */
  fast: boolean,
): Promise<HistorySummary> {
  const started = performance.now();
  const asOf = opts.asOf ?? DEMO_AS_OF;
  const total = people.count;
  progress({ phase: 'histories', done: 0, total });
  const catalogue = await prepareCatalogue(client, requireDay(asOf));
  const firstEvent = await firstEventId(client);
  const gen = new HistoryGenerator(people, catalogue, plan.names, { seed: opts.seed, asOf, firstEventId: firstEvent });
  function* rows(): Generator<Buffer> {
    while (gen.done < total) yield gen.chunk(CHUNK);
  }
  // The row trigger stamps recorded_by/recorded_at/status (the column defaults give the same
  // values) and checks each linked batch: half the cost of the phase at millions of rows.
  if (fast) await client.query('ALTER TABLE ims.vaccination_event DISABLE TRIGGER vaccination_event_before_insert');
  await copyInto(client, 'ims.vaccination_event', EVENT_COLUMNS, rows(), () => progress({ phase: 'histories', done: gen.done, total }));
  if (fast) {
    await client.query('ALTER TABLE ims.vaccination_event ENABLE TRIGGER vaccination_event_before_insert');
    const { rows: bad } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ims.vaccination_event e JOIN ims.batch b ON b.id = e.batch_id
        WHERE e.id >= $1 AND (b.batch_number <> e.batch_number OR b.expiry_date <> e.expiry_date)`,
      [firstEvent],
    );
    if (bad[0]!.n > 0) throw new Error(`${bad[0]!.n} demo vaccination events do not match their batch.`);
  }
  if (gen.reactions.length) await copyInto(client, 'ims.adverse_reaction', REACTION_COLUMNS, [gen.reactionRows()]);
  if (gen.events) {
    await client.query(`SELECT setval(pg_get_serial_sequence('ims.vaccination_event', 'id'), $1)`, [firstEvent + gen.events - 1]);
  }
  progress({ phase: 'histories', done: total, total });
  return {
    events: gen.events,
    given: gen.given,
    notGiven: gen.notGiven,
    reactions: gen.reactions.length,
    batches: catalogue.batchCount,
    seconds: (performance.now() - started) / 1000,
  };
}

function checkOptions(opts: DemoOptions): void {
  if (!Number.isSafeInteger(opts.persons) || opts.persons < 1) {
    throw new AppError('VALIDATION', 'The number of persons must be a whole number of at least 1.');
  }
  if (!Number.isSafeInteger(opts.seed)) throw new AppError('VALIDATION', 'The seed must be a whole number.');
}

async function analyse(client: DbClient): Promise<void> {
  for (const t of BULK_TABLES) await client.query(`ANALYZE ${t}`);
}

/** Internal entry point shared with the benchmark and tests; `plan` fixes the reference data. */
export async function runDemoLoad(
  owner: OwnerDatabase,
  opts: DemoOptions,
  plan: LoadPlan = readDemoRegion(),
  finish: 'commit' | 'rollback' = 'commit',
): Promise<DemoSummary> {
  checkOptions(opts);
  const started = performance.now();
  return withOwnerDatabase(owner, 'IMS demo load', (ds) =>
    withClient(ds, async (client) => {
      const summary = await inTransaction(client, () => loadInTransaction(client, opts, plan), { rollback: finish === 'rollback' });
      if (finish === 'commit' && !summary.rebuiltIndexes) {
        opts.onProgress?.({ phase: 'analyse', done: 0, total: 1 });
        await analyse(client);
      }
      // Marks the new people's rows all-visible, so that search answers from its covering
      // indexes alone (0028) from the start rather than after autovacuum's next pass.
      if (finish === 'commit') await client.query('VACUUM ims.person');
      opts.onProgress?.({ phase: 'done', done: 1, total: 1 });
      return { ...summary, seconds: (performance.now() - started) / 1000 };
    }),
  );
}

/** Builds the synthetic demo region (see resources/reference/demo-region.json) in the database. */
export async function loadDemoRegion(owner: OwnerDatabase, opts: DemoOptions): Promise<DemoSummary> {
  return runDemoLoad(owner, opts);
}

const rate = (name: string, rows: number, seconds: number): BenchRow => ({
  name,
  rows,
  seconds: Math.round(seconds * 1000) / 1000,
  rowsPerSecond: Math.round(rows / seconds),
});

/**
 * Compares the demo load with a raw COPY of the same person rows into the same table, each in
 * a transaction that is rolled back, so the database is left as it was. Needs an empty register.
 */
export async function benchDemoLoad(
  owner: OwnerDatabase,
  persons: number,
  seed = 1,
  plan: LoadPlan = readDemoRegion(),
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // Generation alone, to show how much of the load is spent in this process.
  let started = performance.now();
  const gen = new DemoGenerator(plan.region, plan.names, {
    seed,
    firstId: 1,
    nhsNumbers: plan.nhsNumbers ?? new NhsNumberSequence(DEMO_FIRST_STEM),
  });
  const personRows: Buffer[] = [];
  for (let made = 0; made < persons; made += CHUNK) personRows.push(gen.chunk(Math.min(CHUNK, persons - made)).person);
  rows.push(rate('generate person rows (no database)', persons, (performance.now() - started) / 1000));

  // The register alone (the 2,000,000-person target); the caller measures histories separately.
  const demo = await runDemoLoad(owner, { persons, seed, histories: false }, plan, 'rollback');
  const allRows = demo.persons + demo.contactDetails + demo.clinicalFlags + demo.staffRecords;
  rows.push(rate('demo register load, persons counted', demo.persons, demo.seconds));
  rows.push(rate('demo register load, all rows (persons, contacts, flags, staff)', allRows, demo.seconds));

  await withOwnerDatabase(owner, 'IMS demo bench', (ds) =>
    withClient(ds, (client) =>
      inTransaction(
        client,
        async () => {
          const refs = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ims.person`);
          if (refs.rows[0]!.n > 0) throw new AppError('CONFLICT', 'The benchmark needs an empty register.');
          await insertReferenceData(client, plan.region);
          started = performance.now();
          await copyInto(client, 'ims.person', PERSON_COLUMNS, personRows);
          rows.push(rate('raw COPY of the same person rows into ims.person', persons, (performance.now() - started) / 1000));
        },
        { rollback: true },
      ),
    ),
  );
  return rows;
}

// All of the feeds' SQL: the api functions of migration 0039, and the COPY into an import's
// staging table. Every call runs on the signed-in user's connection (or the owner's, from the
// command line), so the database decides who may import and applies the scope.
import { once } from 'node:events';
import { from as copyFrom } from 'pg-copy-streams';
import type { DbClient, Queryable } from '../platform/db/database';
import { query, queryOne, quoteIdentifier } from '../platform/db/database';
import type { FeedKindCode, ImportStatus } from '../shared/vocabulary/feeds';

export interface OpenedImport {
  importId: number;
  stage: string;
  columns: string[];
}

export interface ImportSummaryRow {
  id: number;
  kind: FeedKindCode;
  fileName: string;
  fileBytes: number;
  checksum: string | null;
  encoding: string | null;
  lineEnding: string | null;
  delimiter: string | null;
  importedBy: string;
  startedAt: string;
  finishedAt: string | null;
  status: ImportStatus;
  maxRejectPercent: number;
  rowsTotal: number | null;
  rowsRejected: number | null;
  rowsApplied: number | null;
  counts: Record<string, number>;
  message: string | null;
  sameAs: number | null;
}

export interface FileFacts {
  checksum: string | null;
  encoding: string | null;
  lineEnding: string | null;
  delimiter: string | null;
}

export async function openImport(
  db: Queryable,
  kind: FeedKindCode,
  fileName: string,
  fileBytes: number,
  maxRejectPercent: number,
): Promise<OpenedImport> {
  const row = await queryOne<{ r: OpenedImport }>(db, 'SELECT api.feed_open($1, $2, $3, $4) AS r', [
    kind,
    fileName,
    fileBytes,
    maxRejectPercent,
  ]);
  return row!.r;
}

export async function finishImport(
  db: Queryable,
  importId: number,
  rows: number,
  facts: FileFacts,
  today: string,
): Promise<ImportSummaryRow> {
  const row = await queryOne<{ r: ImportSummaryRow }>(db, 'SELECT api.feed_finish($1, $2, $3, $4, $5, $6, $7) AS r', [
    importId,
    rows,
    facts.checksum,
    facts.encoding,
    facts.lineEnding,
    facts.delimiter,
    today,
  ]);
  return row!.r;
}

export async function refuseImport(
  db: Queryable,
  importId: number,
  status: 'FILE_REFUSED' | 'CANCELLED' | 'ABANDONED',
  message: string,
  facts: FileFacts,
): Promise<void> {
  await query(db, 'SELECT api.feed_refuse($1, $2, $3, $4, $5, $6, $7)', [
    importId,
    status,
    message,
    facts.checksum,
    facts.encoding,
    facts.lineEnding,
    facts.delimiter,
  ]);
}

export async function importSummary(db: Queryable, importId: number): Promise<ImportSummaryRow | null> {
  const row = await queryOne<{ r: ImportSummaryRow | null }>(db, 'SELECT api.feed_import_status($1) AS r', [importId]);
  return row?.r ?? null;
}

export async function importHistory(db: Queryable, limit: number): Promise<ImportSummaryRow[]> {
  return (await query<{ r: ImportSummaryRow }>(db, 'SELECT r FROM api.feed_history($1) AS r', [limit])).map((x) => x.r);
}

export async function importRejects(db: Queryable, importId: number): Promise<{ row: number; field: string | null; reason: string }[]> {
  return query(db, 'SELECT row_no AS "row", field, reason FROM api.feed_rejects($1)', [importId]);
}

/** The backend of a connection, so that a long apply can be cancelled from another. */
export async function backendPid(client: DbClient): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
}

export async function cancelBackend(db: Queryable, pid: number): Promise<void> {
  await query(db, 'SELECT pg_cancel_backend($1)', [pid]);
}

/** How much COPY text may wait to be sent before the reader waits for it. */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/** A COPY into the import's staging table, written chunk by chunk with back-pressure. */
export class StageCopy {
  private readonly stream: ReturnType<typeof copyFrom>;
  private failure: Error | null = null;
  private readonly finished: Promise<void>;

  constructor(client: DbClient, stage: string, columns: readonly string[]) {
    // The stage name comes from api.feed_open (feed_stage.import_<id>); the columns are the kind's.
    if (!/^feed_stage\.import_\d+$/.test(stage)) throw new Error(`Unexpected staging table ${stage}`);
    // Each row carries its number last (the application numbers them; api.feed_finish checks).
    const cols = [...columns, 'parse_error', 'row_no'].map(quoteIdentifier).join(', ');
    this.stream = client.query(copyFrom(`COPY ${stage} (${cols}) FROM STDIN`));
    this.finished = new Promise<void>((resolve, reject) => {
      this.stream.on('finish', resolve);
      this.stream.on('error', (e: Error) => {
        this.failure = e;
        reject(e);
      });
    });
    this.finished.catch(() => {});
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.write(chunk);
    // A few megabytes may wait unsent, so the next chunk is parsed while the server copies this
    // one; waiting for every drain would make reading and copying take turns.
    if (this.stream.writableLength > IN_FLIGHT_BYTES) await Promise.race([once(this.stream, 'drain'), this.finished]);
  }

  async end(): Promise<void> {
    this.stream.end();
    await this.finished;
  }

  /** Abandons the COPY (the server gets CopyFail); nothing it wrote stays. */
  async abort(reason: Error): Promise<void> {
    this.stream.destroy(reason);
    await this.finished.catch(() => {});
  }
}

export interface VaccinationAckRow extends ImportSummaryRow {
  receivedAt: string;
  failures: { row: number; localId: string | null; reason: string }[];
}

/** What a vaccination batch import's acknowledgements say (api.feed_vaccination_ack, 0075). */
export async function vaccinationAck(db: Queryable, importId: number): Promise<VaccinationAckRow> {
  const row = await queryOne<{ r: VaccinationAckRow }>(db, 'SELECT api.feed_vaccination_ack($1) AS r', [importId]);
  return row!.r;
}

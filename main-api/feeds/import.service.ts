// The import pipeline: one file of one kind, streamed from disk into the import's staging table
// and then validated and applied by the database in one transaction.
//
//   read (1 MB chunks) -> checksum -> encoding decided from the first chunk (Windows-1252
//     re-encoded as UTF-8) -> plain lines straight from bytes to COPY text with their row
//     numbers; the header, quoted records and anything unusual decoded and read as delimited
//     records -> exact header check -> staging table
//   then api.feed_finish: set-based checks (row, field, reason), the threshold, the kind's apply.
//
// Faults of the whole file (encoding, header, an unclosed quote, no rows) refuse it with the
// reason kept in the history; faults of a row are the database's rejects. Cancelling stops the
// read (or the apply, by cancelling its statement) and nothing is applied.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DataSource } from 'typeorm';
import { withClient, type DbClient } from '../platform/db/database';
import { DelimitedReader, delimiterOf, type Delimiter, type DelimitedRecord } from '../platform/files/delimited';
import { checkUtf8Bytes, detectEncoding, FileRefusal, StreamDecoder } from '../platform/files/encoding';
import type { FeedKindCode } from '../shared/vocabulary/feeds';
import { copyLine, headerProblem, pickedColumns, plainLines, plainLinesCapacity, rateAndTimeLeft } from './feeds.rules';
import {
  backendPid,
  cancelBackend,
  finishImport,
  importSummary,
  openImport,
  refuseImport,
  StageCopy,
  type FileFacts,
  type ImportSummaryRow,
} from './feeds.repository';
import { feedKind, type FeedKind } from './kinds';

interface ImportProgress {
  importId: number | null;
  phase: 'loading' | 'applying' | 'done';
  rows: number;
  bytesRead: number;
  bytesTotal: number;
  rowsPerSecond: number;
  secondsLeft: number | null;
}

export interface ImportRequest {
  kind: FeedKindCode;
  path: string;
  /** The name recorded in the history (the path's base name by default). */
  fileName: string;
  maxRejectPercent?: number;
  today: string;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  /** How often progress is reported while loading. */
  progressEveryMs?: number;
  /** Called once the import is registered (its history row exists), before the file is read. */
  onOpened?: (importId: number) => void;
}

const CHUNK_BYTES = 1 << 20;

class Cancelled extends Error {
  constructor() {
    super('The import was cancelled; nothing was applied.');
  }
}

/**
 * Streams a file of a kind into a COPY already open on its staging table: decode, split into
 * records, check the header, write COPY text. Throws FileRefusal for a fault of the whole file
 * and Cancelled when the signal fires. `facts` is filled in as the file reveals them.
 */
export async function loadFileIntoStage(
  kind: FeedKind,
  path: string,
  copy: StageCopy,
  facts: FileFacts,
  progress: (rows: number, bytesRead: number) => void,
  signal?: AbortSignal,
): Promise<number> {
  const hash = createHash('sha256');
  let decoder: StreamDecoder | null = null;
  let reader: DelimitedReader | null = null;
  let delimiter: Delimiter = ',';
  let headerSeen = false;
  let rows = 0;
  let bytesRead = 0;
  // COPY text waiting to be sent, in file order: strings from the reader, bytes from plainLines.
  let pending: (string | Buffer)[] = [];
  const width = kind.columns.length;
  // A kind that picks its columns from a wider header: where they are, and the file's width.
  let picked: number[] | null = null;
  let fileWidth = width;
  const onRecord = (r: DelimitedRecord): void => {
    if (!headerSeen) {
      headerSeen = true;
      // A headerless file's first line is its first row.
      if (!kind.headerless) {
        if (r.error) throw new FileRefusal(`The header cannot be read: ${r.error}`);
        if (kind.pick) {
          const found = pickedColumns(r.fields, kind.header ?? kind.columns);
          if ('problem' in found) throw new FileRefusal(found.problem);
          picked = found.positions;
          fileWidth = r.fields.length;
        } else {
          const problem = headerProblem(r.fields, kind.header ?? kind.columns);
          if (problem) throw new FileRefusal(problem);
        }
        return;
      }
    }
    rows++;
    if (picked) {
      const error =
        r.error ?? (r.fields.length !== fileWidth ? `The row has ${r.fields.length} values; the header has ${fileWidth}.` : null);
      const at = picked;
      pending.push(copyLine(error ? [] : at.map((i) => r.fields[i]!), width, error, false, rows));
      return;
    }
    pending.push(copyLine(r.fields, width, r.error, r.plain, rows));
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const parts = pending.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
    pending = [];
    await copy.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  };
  const readerFor = (text: string): DelimitedReader => {
    if (reader) return reader;
    delimiter = delimiterOf(text.split(/\r\n|\n|\r/, 1)[0] ?? '');
    facts.delimiter = delimiter === '|' ? 'pipe' : 'comma';
    reader = new DelimitedReader(delimiter);
    return reader;
  };
  // The text is taken as UTF-8 bytes: whole lines are cut from the bytes read, checked (no NUL,
  // valid UTF-8) and their plain records turned into COPY text by one loop over the bytes
  // (plainLines), with no string made; the header, quoted records, CR-only files and anything
  // unusual are decoded and go through the reader. A Windows-1252 file is decoded and encoded
  // as UTF-8 first (the decoder has checked it).
  // Bytes after the last line break of what has been read, waiting for the rest of their line.
  let carryBytes: Buffer = Buffer.alloc(0);
  // Where carryBytes starts in the file, for the offsets in refusals.
  let carryOffset = 0;
  const delimiterByte = (): number => delimiter.charCodeAt(0);
  const slowBytes = (bytes: Buffer): void => {
    const text = bytes.toString('utf8');
    const r = readerFor(text);
    r.push(text, onRecord);
    facts.lineEnding ??= r.lineEnding;
  };
  const takeBytes = (chunk: Buffer, final: boolean, checked: boolean): void => {
    const buf = carryBytes.length > 0 ? Buffer.concat([carryBytes, chunk]) : chunk;
    let cut = buf.length;
    if (!final) {
      cut = buf.lastIndexOf(10) + 1;
      // No line break at all (a very long line, or CR-only line endings): cut before the last
      // character's first byte, so that no character is split and nothing waits unbounded.
      if (cut === 0 && buf.length > 0) for (cut = buf.length - 1; cut > 0 && (buf[cut]! & 0xc0) === 0x80; cut--);
    }
    const block = buf.subarray(0, cut);
    if (!checked) checkUtf8Bytes(block, carryOffset);
    carryBytes = buf.subarray(cut);
    carryOffset += cut;
    let out: Buffer | null = null;
    let written = 0;
    let at = 0;
    while (at < block.length) {
      const r = reader as DelimitedReader | null;
      // A picking kind's rows are narrowed one by one, never the plain way.
      if (!headerSeen || !r || r.pending || r.lineEnding === 'CR' || kind.pick) {
        const end = r?.lineEnding === 'CR' ? block.length : block.indexOf(10, at) + 1 || block.length;
        slowBytes(block.subarray(at, end));
        at = end;
        continue;
      }
      out ??= Buffer.allocUnsafe(plainLinesCapacity(block.length, width));
      const fast = plainLines(block, at, block.length, delimiterByte(), width, rows + 1, out, written);
      if (fast.written > written) pending.push(out.subarray(written, fast.written));
      written = fast.written;
      rows += fast.rows;
      at = fast.next;
      if (at < block.length) {
        // The line the loop stopped at goes to the reader (a quoted value may run on past it).
        const end = block.indexOf(10, at) + 1 || block.length;
        slowBytes(block.subarray(at, end));
        at = end;
      }
    }
  };

  let asBytes = false;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) throw new Cancelled();
    hash.update(chunk);
    bytesRead += chunk.length;
    let bytes = chunk;
    if (!decoder) {
      decoder = new StreamDecoder(detectEncoding(chunk.subarray(0, 64 * 1024)));
      facts.encoding = decoder.detected.encoding;
      asBytes = decoder.detected.encoding !== 'windows-1252';
      // The byte-order mark is not text (the decoder drops it too).
      if (decoder.detected.encoding === 'utf-8-bom') {
        bytes = chunk.subarray(3);
        carryOffset = 3;
      }
    }
    if (asBytes) takeBytes(bytes, false, false);
    else takeBytes(Buffer.from(decoder.decode(bytes), 'utf8'), false, true);
    // One COPY write per chunk read: about a megabyte, so back-pressure paces the reading.
    await flush();
    progress(rows, bytesRead);
  }
  facts.checksum = hash.digest('hex');
  if (!decoder || bytesRead === 0) throw new FileRefusal('The file is empty.');
  takeBytes(asBytes ? Buffer.alloc(0) : Buffer.from(decoder.end(), 'utf8'), true, !asBytes);
  const last = reader as DelimitedReader | null;
  if (last) {
    last.end(onRecord);
    facts.lineEnding ??= last.lineEnding;
  }
  await flush();
  if (!headerSeen) throw new FileRefusal(kind.headerless ? 'The file has no rows.' : 'The file is empty: it has no header.');
  if (rows === 0 && !kind.allowEmpty) throw new FileRefusal('The file has a header but no rows.');
  if (signal?.aborted) throw new Cancelled();
  progress(rows, bytesRead);
  return rows;
}

/** Runs one import to its end and answers its summary (applied, refused, cancelled, ...). */
export async function runImport(ds: DataSource, request: ImportRequest): Promise<ImportSummaryRow> {
  const kind = feedKind(request.kind);
  const bytesTotal = (await stat(request.path)).size;
  return withClient(ds, async (client) => {
    const opened = await openImport(
      client,
      kind.code,
      request.fileName,
      bytesTotal,
      request.maxRejectPercent ?? kind.defaultMaxRejectPercent,
    );
    request.onOpened?.(opened.importId);
    const facts: FileFacts = { checksum: null, encoding: null, lineEnding: null, delimiter: null };
    const started = Date.now();
    let rows = 0;
    let bytesRead = 0;
    let lastReport = 0;
    const report = (phase: ImportProgress['phase'], force = false): void => {
      if (!request.onProgress) return;
      const now = Date.now();
      if (!force && now - lastReport < (request.progressEveryMs ?? 250)) return;
      lastReport = now;
      request.onProgress({
        importId: opened.importId,
        phase,
        rows,
        bytesRead,
        bytesTotal,
        ...rateAndTimeLeft(rows, bytesRead, bytesTotal, now - started),
      });
    };
    const copy = new StageCopy(client, opened.stage, kind.columns);
    try {
      const nameProblem = kind.fileNameProblem?.(request.fileName);
      if (nameProblem) throw new FileRefusal(nameProblem);
      rows = await loadFileIntoStage(
        kind,
        request.path,
        copy,
        facts,
        (r, b) => {
          rows = r;
          bytesRead = b;
          report('loading');
        },
        request.signal,
      );
      await copy.end();
      report('applying', true);
      const summary = await finishCancellable(ds, client, opened.importId, rows, facts, request);
      report('done', true);
      return summary;
    } catch (error) {
      if (error instanceof FileRefusal || error instanceof Cancelled) {
        await copy.abort(error);
        await refuseImport(client, opened.importId, error instanceof Cancelled ? 'CANCELLED' : 'FILE_REFUSED', error.message, facts);
        const summary = await importSummary(client, opened.importId);
        report('done', true);
        return summary!;
      }
      await copy.abort(error as Error);
      // Never left "loading": the history says it stopped, and nothing was applied (the apply is
      // one transaction). If even that cannot be written, the abandoned-import sweep finds it.
      await refuseImport(
        client,
        opened.importId,
        'ABANDONED',
        `The import stopped with an error; nothing was applied: ${(error as Error).message}`,
        facts,
      ).catch(() => undefined);
      throw error;
    }
  });
}

/** The finish, cancelled from another connection if the signal fires while it runs. */
async function finishCancellable(
  ds: DataSource,
  client: DbClient,
  importId: number,
  rows: number,
  facts: FileFacts,
  request: ImportRequest,
): Promise<ImportSummaryRow> {
  const signal = request.signal;
  if (!signal) return finishImport(client, importId, rows, facts, request.today);
  const pid = await backendPid(client);
  let cancelled = false;
  const onAbort = (): void => {
    cancelled = true;
    void cancelBackend(ds, pid).catch(() => {});
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await finishImport(client, importId, rows, facts, request.today);
  } catch (error) {
    // 57014: the statement was cancelled; its transaction rolled back, so nothing is applied.
    if (cancelled && (error as { code?: string }).code === '57014') throw new Cancelled();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// Channels for importing files from other systems (feeds): the screen sends the chosen file in
// pieces, starts the import in the background, follows its progress, may cancel it, and reads
// the history and each import's rejected rows. The database decides who may import (0039).
import { z } from 'zod';
import type { HandlersOf } from './common';
import { FeedKindCode, ImportStatus } from '../shared/vocabulary/feeds';

/** A piece of the file, base64: small enough for the loopback transport's 2 MB requests. */
export const UPLOAD_PIECE_BASE64_CHARS = 1_000_000;
/** The largest file the screen may send (the command line takes any size). */
export const UPLOAD_MAX_BYTES = 500 * 1024 * 1024;

const Id = z.uuid();
const Count = z.number().int().nonnegative();

const FeedKindView = z.object({
  code: FeedKindCode,
  label: z.string(),
  columns: z.array(z.string()),
  /** exact: the header is exactly `columns`; includes: it has them among others; none: no header line. */
  header: z.enum(['exact', 'includes', 'none']),
  /** Reference data: only administrators may import it. */
  administratorsOnly: z.boolean(),
  allowEmpty: z.boolean(),
  defaultMaxRejectPercent: z.number(),
});

export const ImportSummary = z.object({
  id: z.number().int(),
  kind: FeedKindCode,
  fileName: z.string(),
  fileBytes: z.number().int().nonnegative(),
  checksum: z.string().nullable(),
  encoding: z.string().nullable(),
  lineEnding: z.string().nullable(),
  delimiter: z.string().nullable(),
  importedBy: z.string(),
  /** 'YYYY-MM-DD HH:MM:SS' on England's clock. */
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: ImportStatus,
  maxRejectPercent: z.number(),
  rowsTotal: Count.nullable(),
  rowsRejected: Count.nullable(),
  rowsApplied: Count.nullable(),
  counts: z.record(z.string(), z.number()),
  message: z.string().nullable(),
  sameAs: z.number().int().nullable(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

const UploadInput = z.object({
  /** null for the first piece; then the id the first answer gave. */
  uploadId: Id.nullable(),
  fileName: z.string().min(1).max(260),
  base64: z
    .string()
    .max(UPLOAD_PIECE_BASE64_CHARS)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'A piece of the file is sent as base64'),
});

const StartInput = z.object({
  uploadId: Id,
  kind: FeedKindCode,
  maxRejectPercent: z.number().min(0).max(100).optional(),
});

export const ImportJob = z.object({
  jobId: Id,
  state: z.enum(['running', 'finished', 'failed']),
  phase: z.enum(['loading', 'applying', 'done']),
  rows: Count,
  bytesRead: Count,
  bytesTotal: Count,
  rowsPerSecond: Count,
  /** Seconds until the file is read; null before the first measure and while applying. */
  secondsLeft: z.number().nonnegative().nullable(),
  summary: ImportSummary.nullable(),
  message: z.string().nullable(),
});
export type ImportJob = z.infer<typeof ImportJob>;

const RejectsReport = z.object({ fileName: z.string(), rows: Count, csv: z.string() });

/** A vaccination batch import's acknowledgements (InfAck, BusAck, totals); none for other kinds. */
const Acknowledgements = z.object({
  files: z.array(z.object({ fileName: z.string(), mediaType: z.enum(['text/csv', 'application/json']), text: z.string() })),
});

export const feedChannels = {
  'feeds.kinds': { input: z.object({}), output: z.array(FeedKindView) },
  'feeds.upload': { input: UploadInput, output: z.object({ uploadId: Id, bytes: Count }) },
  'feeds.start': { input: StartInput, output: ImportJob },
  'feeds.progress': { input: z.object({ jobId: Id }), output: ImportJob },
  'feeds.cancel': { input: z.object({ jobId: Id }), output: ImportJob },
  'feeds.history': { input: z.object({ limit: z.number().int().min(1).max(500).optional() }), output: z.array(ImportSummary) },
  'feeds.rejects': { input: z.object({ importId: z.number().int().positive() }), output: RejectsReport },
  'feeds.acknowledgements': { input: z.object({ importId: z.number().int().positive() }), output: Acknowledgements },
} as const;

export type FeedHandlers = HandlersOf<typeof feedChannels>;

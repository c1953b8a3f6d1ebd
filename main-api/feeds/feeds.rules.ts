// Pure rules of the import pipeline: the exact header check, the COPY line of a record, progress
// and time left, the rejects report and the command line's exit codes.
import type { ImportStatus } from '../shared/vocabulary/feeds';

/** Why a header is not the layout's, or null when it is exactly the layout's. */
export function headerProblem(found: readonly string[], expected: readonly string[]): string | null {
  for (let i = 0; i < Math.max(found.length, expected.length); i++) {
    const f = found[i];
    const e = expected[i];
    if (f === e) continue;
    if (e === undefined)
      return `The header has ${found.length} columns; this kind of file has ${expected.length}, ending with ${expected.at(-1)}.`;
    if (f === undefined)
      return `The header has ${found.length} columns; this kind of file has ${expected.length}: ${e} and after it are missing.`;
    return `Column ${i + 1} of the header is "${f.slice(0, 60)}"; this kind of file has ${e} there. The header must be exactly: ${expected.join(', ')}.`;
  }
  return null;
}

/**
 * Where each wanted column is in a wider header (a national file whose other columns are not
 * read), or why the header will not do: a wanted column missing or named twice.
 */
export function pickedColumns(found: readonly string[], wanted: readonly string[]): { positions: number[] } | { problem: string } {
  const positions: number[] = [];
  const missing: string[] = [];
  for (const w of wanted) {
    const at = found.indexOf(w);
    if (at < 0) missing.push(w);
    else if (found.indexOf(w, at + 1) >= 0) return { problem: `The header names the column ${w} twice.` };
    else positions.push(at);
  }
  if (missing.length > 0) {
    return {
      problem: `The header has no column ${missing.map((m) => `"${m}"`).join(', ')}. This kind of file needs these columns, named exactly so (others may be there too): ${wanted.join(', ')}.`,
    };
  }
  return { positions };
}

/** COPY text escaping of one value (backslash, tab, newline, carriage return). */
function copyEscape(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

/** How many times a character occurs in a string. */
function occurrences(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/**
 * One staging row in COPY text format: the values, the parse error (\N for none), then the row's
 * number (1 for the first data row; the staging table's columns are sent in that order). A
 * record with the wrong number of values is staged with its error and no values.
 */
export function copyLine(fields: readonly string[], width: number, error: string | null, plain: boolean, row: number): string {
  if (error === null && fields.length !== width) {
    error = `The row has ${fields.length} values; the header has ${width}.`;
  }
  if (error !== null) return `${'\\N\t'.repeat(width)}${copyEscape(error)}\t${row}\n`;
  // A record read without quotes cannot hold line breaks; only tabs and backslashes need a look.
  const joined = fields.join('\t');
  if (plain && !joined.includes('\\') && occurrences(joined, '\t') === width - 1) return `${joined}\t\\N\t${row}\n`;
  return `${fields.map(copyEscape).join('\t')}\t\\N\t${row}\n`;
}

/** Writes a positive integer's decimal digits at `at`; answers where they end. */
function writeDigits(n: number, out: Uint8Array, at: number): number {
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  for (let k = at + digits - 1, t = n; k >= at; k--, t = Math.floor(t / 10)) out[k] = 48 + (t % 10);
  return at + digits;
}

/** Where plainLines stopped: the first byte it did not take, and how far it wrote. */
export interface PlainLinesResult {
  /** The start of the first line that is not plain (or the end of the text). */
  next: number;
  /** How many bytes of `out` now hold COPY text. */
  written: number;
  rows: number;
}

/** Room enough in an output buffer for plainLines over `length` bytes of lines of `width` values. */
export function plainLinesCapacity(length: number, width: number): number {
  // A plain line has width - 1 delimiters and a line feed; each gains at most fourteen bytes
  // (\t\\N, a tab and a row number of up to ten digits).
  return length + 14 * Math.ceil(length / Math.max(1, width)) + 16;
}

/**
 * Whole lines of UTF-8 text (whose multi-byte characters never hold an ASCII byte) as COPY text:
 * from `start`, each line (ending with LF, or CRLF) that is a plain record of the right width
 * (exactly width - 1 delimiters; no quote, tab, backslash or lone CR; not blank) is written to
 * `out` as its values, \N for no parse error and its row number (`firstRow` for the first),
 * until the first line that is not, or the last line break. No string is made: a file of plain
 * lines goes from the disk to COPY at the speed of one loop.
 */
export function plainLines(
  text: Uint8Array,
  start: number,
  end: number,
  delimiter: number,
  width: number,
  firstRow: number,
  out: Uint8Array,
  at: number,
): PlainLinesResult {
  let rows = 0;
  let i = start;
  while (i < end) {
    const lineOut = at;
    let count = 0;
    let chars = 0;
    let plain = true;
    let j = i;
    for (; j < end; j++) {
      const c = text[j]!;
      if (c === 10) break;
      if (c === delimiter) {
        count++;
        chars++;
        out[at++] = 9;
      } else if (c === 34 || c === 9 || c === 92) {
        plain = false;
        break;
      } else if (c === 13) {
        if (text[j + 1] !== 10) {
          plain = false;
          break;
        }
      } else {
        chars++;
        out[at++] = c;
      }
    }
    // A line must end here with its line feed, hold something and have exactly width values.
    if (!plain || j >= end || chars === 0 || count !== width - 1) return { next: i, written: lineOut, rows };
    out[at++] = 9;
    out[at++] = 92;
    out[at++] = 78;
    out[at++] = 9;
    at = writeDigits(firstRow + rows, out, at);
    out[at++] = 10;
    rows++;
    i = j + 1;
  }
  return { next: i, written: at, rows };
}

export interface RateAndTimeLeft {
  rowsPerSecond: number;
  /** Seconds until the file is read, from the share of bytes read so far; null before any. */
  secondsLeft: number | null;
}

export function rateAndTimeLeft(rows: number, bytesRead: number, bytesTotal: number, elapsedMs: number): RateAndTimeLeft {
  const seconds = elapsedMs / 1000;
  const rowsPerSecond = seconds > 0 ? Math.round(rows / seconds) : 0;
  if (bytesRead <= 0 || seconds <= 0) return { rowsPerSecond, secondsLeft: null };
  const left = (seconds * Math.max(0, bytesTotal - bytesRead)) / bytesRead;
  return { rowsPerSecond, secondsLeft: Math.round(left * 10) / 10 };
}

/** A value for a CSV file: quoted when it holds a comma, quote or line break. */
export function csvValue(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  // A leading =, +, - or @ makes spreadsheets run a formula: such values are quoted as text.
  const guarded = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) || guarded !== s ? `"${guarded.replace(/"/g, '""')}"` : s;
}

export interface RejectRow {
  row: number;
  field: string | null;
  reason: string;
}

/** The rejects report: one line per reason, with a header, CRLF line endings for Excel. */
export function rejectsCsv(rows: readonly RejectRow[]): string {
  const lines = ['row,field,reason', ...rows.map((r) => [r.row, r.field, r.reason].map(csvValue).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** What `ims import` exits with, for schedulers: 0 means the file's changes are in. */
export const EXIT_CODES = {
  applied: 0,
  error: 1,
  fileRefused: 3,
  overThreshold: 4,
  cancelled: 5,
} as const;

export function exitCodeOf(status: ImportStatus): number {
  switch (status) {
    case 'APPLIED':
    case 'ALREADY_APPLIED':
      return EXIT_CODES.applied;
    case 'FILE_REFUSED':
      return EXIT_CODES.fileRefused;
    case 'OVER_THRESHOLD':
      return EXIT_CODES.overThreshold;
    case 'CANCELLED':
      return EXIT_CODES.cancelled;
    default:
      return EXIT_CODES.error;
  }
}

// A streaming reader of delimited text (CSV or pipe-delimited): values may be quoted with double
// quotes, a quote inside a quoted value is doubled, and a quoted value may hold the delimiter
// and line breaks. Text arrives in chunks of any size; each record is handed on as soon as it
// is complete, so a file of any length is read in bounded memory.
//
// A fault confined to one record (a stray quote, text after a closing quote) is reported with
// that record and reading goes on; a fault that makes the rest unreadable (a quote never closed)
// refuses the whole file.
import { FileRefusal } from './encoding';

export type Delimiter = ',' | '|';
export type LineEnding = 'CRLF' | 'LF' | 'CR';

export interface DelimitedRecord {
  /** 1 for the first record of the text (the header, when there is one). */
  record: number;
  fields: string[];
  /** Why the record cannot be trusted, if it cannot. */
  error: string | null;
  /** The record's text had no quotes, so its fields are exactly the text between delimiters. */
  plain: boolean;
}

/** The delimiter of a header line: a pipe if it has one, else a comma. */
export function delimiterOf(headerLine: string): Delimiter {
  return headerLine.includes('|') ? '|' : ',';
}

/** The line ending the text starts with (a file is expected to keep to one). */
export function lineEndingOf(text: string): LineEnding | null {
  const nl = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (nl < 0 && cr < 0) return null;
  if (cr >= 0 && (nl < 0 || cr < nl)) return text[cr + 1] === '\n' ? 'CRLF' : 'CR';
  return 'LF';
}

const QUOTE = '"';

export class DelimitedReader {
  private rest = '';
  private records = 0;
  private eol: '\n' | '\r' | null = null;
  lineEnding: LineEnding | null = null;

  constructor(
    private readonly delimiter: Delimiter,
    /** A record longer than this is taken for an unclosed quote and the file refused. */
    private readonly maxRecordChars = 1_000_000,
  ) {}

  /** Whether part of a record is waiting for the rest of it (a quoted value running on). */
  get pending(): boolean {
    return this.rest.length > 0;
  }

  /** Reads as many whole records as the text so far holds; the remainder waits for more. */
  push(text: string, emit: (record: DelimitedRecord) => void): void {
    const buf = this.rest.length ? this.rest + text : text;
    this.rest = '';
    const consumed = this.parse(buf, false, emit);
    this.rest = buf.slice(consumed);
    if (this.rest.length > this.maxRecordChars) {
      throw new FileRefusal(
        `Record ${this.records + 1} runs on for more than ${this.maxRecordChars.toLocaleString('en-GB')} characters: a quote is probably never closed.`,
      );
    }
  }

  /** The end of the text: the last record, which need not end with a line break. */
  end(emit: (record: DelimitedRecord) => void): void {
    const buf = this.rest;
    this.rest = '';
    this.parse(buf, true, emit);
  }

  private parse(buf: string, final: boolean, emit: (record: DelimitedRecord) => void): number {
    if (this.eol === null) {
      this.lineEnding = lineEndingOf(buf);
      // A carriage return at the very end may be the first half of CRLF: wait for the next chunk.
      const undecided = this.lineEnding === null || (this.lineEnding === 'CR' && buf.indexOf('\r') === buf.length - 1);
      if (undecided && !final) return 0;
      this.eol = this.lineEnding === 'CR' ? '\r' : '\n';
    }
    const eol = this.eol;
    const d = this.delimiter;
    let i = 0;
    const n = buf.length;
    while (i < n) {
      let j = buf.indexOf(eol, i);
      if (j < 0) {
        if (!final) return i;
        j = n;
      }
      let lineEnd = j;
      if (eol === '\n' && lineEnd > i && buf.charCodeAt(lineEnd - 1) === 13) lineEnd--;
      const line = buf.slice(i, lineEnd);
      if (!line.includes(QUOTE)) {
        // The common case: no quotes, so the line is the record. Blank lines are not records.
        if (line.length > 0) {
          this.records++;
          emit({ record: this.records, fields: line.split(d), error: null, plain: true });
        }
        i = j + 1;
        continue;
      }
      const quoted = this.quotedRecord(buf, i, final);
      if (quoted === null) return i;
      this.records++;
      emit({ record: this.records, fields: quoted.fields, error: quoted.error, plain: false });
      i = quoted.next;
    }
    return n;
  }

  /** One record holding quotes, read character by character; null if the text ends first. */
  private quotedRecord(buf: string, start: number, final: boolean): { fields: string[]; error: string | null; next: number } | null {
    const d = this.delimiter;
    const eol = this.eol as string;
    const n = buf.length;
    const fields: string[] = [];
    let error: string | null = null;
    let k = start;
    for (;;) {
      // At the start of a field.
      let value = '';
      if (buf[k] === QUOTE) {
        k++;
        for (;;) {
          const q = buf.indexOf(QUOTE, k);
          if (q < 0 || (q === n - 1 && !final)) {
            if (!final) return null;
            throw new FileRefusal(`A quoted value in record ${this.records + 1} is never closed.`);
          }
          value += buf.slice(k, q);
          if (buf[q + 1] === QUOTE) {
            value += QUOTE;
            k = q + 2;
            continue;
          }
          k = q + 1;
          break;
        }
        // After the closing quote: the delimiter, the end of the line, or the end of the text.
        if (k < n && buf[k] !== d && buf[k] !== eol && !(buf[k] === '\r' && (buf[k + 1] === '\n' || k + 1 === n))) {
          error ??= `Record has text after a closing quote in value ${fields.length + 1}.`;
          while (k < n && buf[k] !== d && buf[k] !== eol) k++;
          if (k >= n && !final) return null;
        }
      } else {
        const from = k;
        while (k < n && buf[k] !== d && buf[k] !== eol) {
          if (buf[k] === QUOTE) error ??= `Record has a quote inside a value that does not start with one (value ${fields.length + 1}).`;
          k++;
        }
        if (k >= n && !final) return null;
        value = buf.slice(from, k);
        if (eol === '\n' && value.endsWith('\r') && (k >= n || buf[k] === eol)) value = value.slice(0, -1);
      }
      fields.push(value);
      if (k >= n) return { fields, error, next: n };
      if (buf[k] === d) {
        k++;
        continue;
      }
      if (buf[k] === '\r' && eol === '\n') k++;
      if (k >= n) {
        if (!final) return null;
        return { fields, error, next: n };
      }
      return { fields, error, next: k + 1 };
    }
  }
}

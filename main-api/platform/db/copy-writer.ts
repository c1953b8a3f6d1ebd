// Builds PostgreSQL COPY text rows straight into bytes. Writing millions of rows as JS strings
// spends most of the time in the garbage collector; reusing one growing buffer does not.

const TAB = 9;
const NL = 10;
const BACKSLASH = 92;
const encoder = new TextEncoder();

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
export function escapeCopyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A field value encoded once (UTF-8, COPY-escaped), for values written many times. */
export function field(value: string): Uint8Array {
  return encoder.encode(escapeCopyText(value));
}

export class CopyWriter {
  private buf: Uint8Array;
  private pos = 0;
  private fieldStart = true;

  constructor(capacity = 1 << 20) {
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private sep(): void {
    if (!this.fieldStart) this.buf[this.pos++] = TAB;
    this.fieldStart = false;
  }

  /** A pre-encoded field. */
  bytes(value: Uint8Array): this {
    this.ensure(value.length + 1);
    this.sep();
    if (value.length < 24) {
      for (let i = 0; i < value.length; i++) this.buf[this.pos++] = value[i] as number;
    } else {
      this.buf.set(value, this.pos);
      this.pos += value.length;
    }
    return this;
  }

  /** A field known to be plain ASCII without tabs, newlines or backslashes (codes, numbers). */
  ascii(value: string): this {
    this.ensure(value.length + 1);
    this.sep();
    for (let i = 0; i < value.length; i++) this.buf[this.pos++] = value.charCodeAt(i);
    return this;
  }

  /** Any text: escaped and UTF-8 encoded. */
  text(value: string | null): this {
    if (value === null) return this.null();
    return this.bytes(field(value));
  }

  /** A non-negative integer. */
  uint(value: number): this {
    this.ensure(17);
    this.sep();
    if (value === 0) {
      this.buf[this.pos++] = 48;
      return this;
    }
    const start = this.pos;
    let v = value;
    while (v > 0) {
      const q = Math.floor(v / 10);
      this.buf[this.pos++] = 48 + (v - q * 10);
      v = q;
    }
    this.buf.subarray(start, this.pos).reverse();
    return this;
  }

  null(): this {
    this.ensure(3);
    this.sep();
    this.buf[this.pos++] = BACKSLASH;
    this.buf[this.pos++] = 78; // N
    return this;
  }

  bool(value: boolean): this {
    this.ensure(2);
    this.sep();
    this.buf[this.pos++] = value ? 116 : 102; // t / f
    return this;
  }

  /** Appends raw bytes to the current field (no separator), e.g. parts of an e-mail address. */
  append(value: Uint8Array | string): this {
    if (typeof value === 'string') {
      this.ensure(value.length);
      for (let i = 0; i < value.length; i++) this.buf[this.pos++] = value.charCodeAt(i);
    } else {
      this.ensure(value.length);
      this.buf.set(value, this.pos);
      this.pos += value.length;
    }
    return this;
  }

  /** Starts a field whose content follows through append(). */
  begin(): this {
    this.ensure(1);
    this.sep();
    return this;
  }

  endRow(): void {
    this.ensure(1);
    this.buf[this.pos++] = NL;
    this.fieldStart = true;
  }

  /** Returns the rows written so far as a Buffer of their own, and starts again. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    this.pos = 0;
    this.fieldStart = true;
    return out;
  }
}

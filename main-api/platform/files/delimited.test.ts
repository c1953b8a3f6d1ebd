// The delimited reader: quoting, line endings, chunk boundaries anywhere, faults per record and
// per file; and a fuzz test: random and mutated input never crashes (other than a file refusal)
// or hangs, and the same text gives the same records however it is cut into chunks.
import { describe, expect, it } from 'vitest';
import { DelimitedReader, delimiterOf, lineEndingOf, type Delimiter, type DelimitedRecord } from './delimited';
import { FileRefusal } from './encoding';

function read(text: string, delimiter: Delimiter = ',', cuts: number[] = []): DelimitedRecord[] {
  const out: DelimitedRecord[] = [];
  const reader = new DelimitedReader(delimiter, 10_000);
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    reader.push(text.slice(at, cut), (r) => out.push(r));
    at = cut;
  }
  reader.end((r) => out.push(r));
  return out;
}
const fields = (text: string, d: Delimiter = ',', cuts: number[] = []) => read(text, d, cuts).map((r) => r.fields);

describe('delimited reader', () => {
  it('reads plain CSV and pipe-delimited records, with or without a final line break', () => {
    expect(fields('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('a|b\n1|2', '|')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,,c\n,,\n')).toEqual([
      ['a', '', 'c'],
      ['', '', ''],
    ]);
  });

  it('handles CRLF, LF and CR line endings, and skips blank lines', () => {
    expect(fields('a,b\r\n1,2\r\n\r\n3,4\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(fields('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(lineEndingOf('a\r\nb')).toBe('CRLF');
    expect(lineEndingOf('a\nb')).toBe('LF');
    expect(lineEndingOf('a\rb')).toBe('CR');
    expect(lineEndingOf('a')).toBeNull();
  });

  it('reads quoted values holding delimiters, doubled quotes and line breaks', () => {
    expect(fields('"a,1","say ""hi""","two\nlines"\nx,y,z\n')).toEqual([
      ['a,1', 'say "hi"', 'two\nlines'],
      ['x', 'y', 'z'],
    ]);
    expect(fields('"a|b"|c\r\n"d"|"e"\r\n', '|')).toEqual([
      ['a|b', 'c'],
      ['d', 'e'],
    ]);
    expect(fields('"",""\n')).toEqual([['', '']]);
  });

  it('gives the same records wherever the chunks are cut', () => {
    const text = 'h1,h2,h3\r\n"q,1","a ""b""",c\r\nplain,"multi\r\nline",x\r\nlast,row,"end"';
    const whole = fields(text);
    for (let i = 0; i <= text.length; i++) expect(fields(text, ',', [i])).toEqual(whole);
    expect(
      fields(
        text,
        ',',
        Array.from({ length: text.length }, (_, i) => i),
      ),
    ).toEqual(whole);
  });

  it('reports a stray quote or text after a closing quote with the record, and reads on', () => {
    const records = read('a,b\nfo"o,1\n"x"y,2\nok,3\n');
    expect(records.map((r) => r.error)).toEqual([
      null,
      expect.stringMatching(/quote inside a value/),
      expect.stringMatching(/text after a closing quote/),
      null,
    ]);
    expect(records[3]!.fields).toEqual(['ok', '3']);
  });

  it('refuses a file whose quote is never closed', () => {
    expect(() => read('a,b\n"open,1\n2,3\n')).toThrow(FileRefusal);
    expect(() => read('a,b\n"' + 'x'.repeat(20_000))).toThrow(/runs on for more than/);
  });

  it('takes the delimiter from the header', () => {
    expect(delimiterOf('a|b|c')).toBe('|');
    expect(delimiterOf('a,b,c')).toBe(',');
  });

  it('numbers records from 1, blank lines not counted', () => {
    expect(read('h\n\na\nb\n').map((r) => r.record)).toEqual([1, 2, 3]);
  });
});

/** A small deterministic generator, so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', '1', ',', '|', '"', '""', '\n', '\r', '\r\n', ' ', '\t', 'é', '\\'];

describe('delimited reader fuzz', () => {
  it('never crashes or hangs on random input, and chunking never changes the result', () => {
    const started = Date.now();
    for (let seed = 1; seed <= 400; seed++) {
      const random = prng(seed);
      const length = Math.floor(random() * 200);
      let text = '';
      for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
      const d: Delimiter = random() < 0.5 ? ',' : '|';
      const outcome = (cuts: number[]) => {
        try {
          return { records: read(text, d, cuts) };
        } catch (error) {
          if (!(error instanceof FileRefusal)) throw new Error(`seed ${seed}: ${String(error)}`, { cause: error });
          return { refused: true };
        }
      };
      const whole = outcome([]);
      const cut = Math.floor(random() * (text.length + 1));
      expect(outcome([cut]), `seed ${seed}, cut at ${cut}: ${JSON.stringify(text)}`).toEqual(whole);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('never crashes on mutations of a valid file', () => {
    const valid = 'nhs_number|family_name|given_name\r\n9990000018|"Smith, J"|Ann\r\n9990000026|Jones|"Bo ""B"""\r\n';
    for (let seed = 1; seed <= 400; seed++) {
      const random = prng(seed);
      const chars = [...valid];
      for (let m = 0; m < 1 + Math.floor(random() * 4); m++) {
        const at = Math.floor(random() * chars.length);
        const op = random();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, ALPHABET[Math.floor(random() * ALPHABET.length)]!);
        else chars[at] = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
      }
      try {
        read(chars.join(''), '|', [Math.floor(random() * chars.length)]);
      } catch (error) {
        expect(error, `seed ${seed}`).toBeInstanceOf(FileRefusal);
      }
    }
  });
});

// The pipeline's pure rules: the exact header check, COPY lines, progress, the rejects report
// and the exit codes.
import { describe, expect, it } from 'vitest';
import {
  copyLine,
  csvValue,
  EXIT_CODES,
  exitCodeOf,
  headerProblem,
  pickedColumns,
  plainLines,
  plainLinesCapacity,
  rateAndTimeLeft,
  rejectsCsv,
} from './feeds.rules';
import { FEED_KIND_DEFINITIONS } from './kinds';

describe('header check', () => {
  const expected = ['a', 'b', 'c'];
  it('accepts exactly the layout', () => expect(headerProblem(['a', 'b', 'c'], expected)).toBeNull());
  it('names the first column that differs', () =>
    expect(headerProblem(['a', 'B', 'c'], expected)).toMatch(/^Column 2 of the header is "B"; .* b there/));
  it('counts missing and extra columns', () => {
    expect(headerProblem(['a', 'b'], expected)).toMatch(/2 columns; .* 3: c and after it are missing/);
    expect(headerProblem(['a', 'b', 'c', 'd'], expected)).toMatch(/4 columns; .* 3/);
  });
  it('is exact: no trimming or case folding', () => expect(headerProblem(['a ', 'b', 'c'], expected)).toMatch(/Column 1/));
  it('every kind has distinct lower-case column names', () => {
    for (const k of Object.values(FEED_KIND_DEFINITIONS)) {
      expect(new Set(k.columns).size).toBe(k.columns.length);
      for (const c of k.columns) expect(c).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});

describe('columns picked from a wider header', () => {
  it('finds each wanted column wherever it is', () =>
    expect(pickedColumns(['pcd', 'lsoa21', 'x', 'pcds'], ['pcds', 'lsoa21'])).toEqual({ positions: [3, 1] }));
  it('names every missing column', () => {
    const r = pickedColumns(['pcd', 'LSOA21'], ['pcds', 'lsoa21']);
    expect('problem' in r && r.problem).toMatch(/no column "pcds", "lsoa21"/);
  });
  it('refuses a wanted column named twice', () => {
    const r = pickedColumns(['pcds', 'a', 'pcds'], ['pcds']);
    expect('problem' in r && r.problem).toMatch(/pcds twice/);
  });
  it('every picking kind names as many header columns as it stages', () => {
    for (const k of Object.values(FEED_KIND_DEFINITIONS).filter((d) => d.pick)) expect(k.header?.length).toBe(k.columns.length);
  });
});

describe('COPY lines', () => {
  it('writes plain values as they are, the parse error and the row number last', () =>
    expect(copyLine(['x', '', 'y'], 3, null, true, 7)).toBe('x\t\ty\t\\N\t7\n'));
  it('escapes tabs, backslashes and line breaks', () =>
    expect(copyLine(['a\tb', 'c\\d', 'e\nf'], 3, null, false, 1)).toBe('a\\tb\tc\\\\d\te\\nf\t\\N\t1\n'));
  it('escapes a tab even in a record read without quotes', () =>
    expect(copyLine(['a\tb', 'c'], 2, null, true, 2)).toBe('a\\tb\tc\t\\N\t2\n'));
  it('stages a record of the wrong width with its error and no values', () =>
    expect(copyLine(['a'], 3, null, true, 3)).toBe('\\N\t\\N\t\\N\tThe row has 1 values; the header has 3.\t3\n'));
  it('stages a record with a parse error', () => expect(copyLine(['a', 'b'], 2, 'bad', false, 12)).toBe('\\N\t\\N\tbad\t12\n'));
});

describe('plain lines from bytes', () => {
  const PIPE = '|'.charCodeAt(0);
  const lines = (text: string, width = 3) => {
    const bytes = Buffer.from(text, 'utf8');
    const out = Buffer.alloc(plainLinesCapacity(bytes.length, width));
    const r = plainLines(bytes, 0, bytes.length, PIPE, width, 9, out, 0);
    return { copy: out.subarray(0, r.written).toString('utf8'), rows: r.rows, rest: bytes.subarray(r.next).toString('utf8') };
  };
  it('writes the COPY text copyLine would, numbering the rows on, LF or CRLF, multi-byte characters as they are', () => {
    expect(lines('a|b|c\nd||f\n')).toEqual({ copy: 'a\tb\tc\t\\N\t9\nd\t\tf\t\\N\t10\n', rows: 2, rest: '' });
    expect(lines('Zoë|Siobhán|x\r\nd|e|f\r\n')).toEqual({
      copy: copyLine(['Zoë', 'Siobhán', 'x'], 3, null, true, 9) + copyLine(['d', 'e', 'f'], 3, null, true, 10),
      rows: 2,
      rest: '',
    });
  });
  it('stops at the first line the reader must read, having written only the lines before it', () => {
    for (const odd of ['a|"b"|c\n', 'a|b\n', 'a|b|c|d\n', '\n', 'a|b\tx|c\n', 'a|b\\|c\n', 'a|b|c\rd|e|f\n', 'a|b|c']) {
      expect(lines(`x|y|z\n${odd}p|q|r\n`), JSON.stringify(odd)).toEqual({ copy: 'x\ty\tz\t\\N\t9\n', rows: 1, rest: `${odd}p|q|r\n` });
    }
  });
  it('has room for the shortest plain lines', () => {
    const numbered = (n: number, line: (row: number) => string) => Array.from({ length: n }, (_, i) => line(9 + i)).join('');
    expect(lines('||\n'.repeat(1000))).toEqual({ copy: numbered(1000, (r) => `\t\t\t\\N\t${r}\n`), rows: 1000, rest: '' });
    expect(lines('a\n'.repeat(100), 1)).toEqual({ copy: numbered(100, (r) => `a\t\\N\t${r}\n`), rows: 100, rest: '' });
  });
});

describe('progress', () => {
  it('gives the rate and the time left from the share of bytes read', () => {
    expect(rateAndTimeLeft(1000, 250, 1000, 2000)).toEqual({ rowsPerSecond: 500, secondsLeft: 6 });
    expect(rateAndTimeLeft(0, 0, 1000, 0)).toEqual({ rowsPerSecond: 0, secondsLeft: null });
  });
});

describe('rejects report', () => {
  it('is CSV with quoted values and formula guards', () => {
    expect(csvValue('a,b')).toBe('"a,b"');
    expect(csvValue('say "x"')).toBe('"say ""x"""');
    expect(csvValue('=SUM(A1)')).toBe('"\'=SUM(A1)"');
    expect(rejectsCsv([{ row: 3, field: 'nhs_number', reason: 'The NHS number is repeated (first on row 1).' }])).toBe(
      'row,field,reason\r\n3,nhs_number,The NHS number is repeated (first on row 1).\r\n',
    );
  });
});

describe('exit codes', () => {
  it('are distinct for applied, refused file, over threshold and cancelled', () => {
    expect(exitCodeOf('APPLIED')).toBe(0);
    expect(exitCodeOf('ALREADY_APPLIED')).toBe(0);
    expect(exitCodeOf('FILE_REFUSED')).toBe(EXIT_CODES.fileRefused);
    expect(exitCodeOf('OVER_THRESHOLD')).toBe(EXIT_CODES.overThreshold);
    expect(exitCodeOf('CANCELLED')).toBe(EXIT_CODES.cancelled);
    expect(new Set(Object.values(EXIT_CODES)).size).toBe(Object.values(EXIT_CODES).length);
  });
});

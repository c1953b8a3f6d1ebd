// The pipeline's pure rules: the exact header check, COPY lines, progress, the rejects report
// and the exit codes.
import { describe, expect, it } from 'vitest';
import { copyLine, csvValue, EXIT_CODES, exitCodeOf, headerProblem, rateAndTimeLeft, rejectsCsv } from './feeds.rules';
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

describe('COPY lines', () => {
  it('writes plain values as they are', () => expect(copyLine(1, ['x', '', 'y'], 3, null, true)).toBe('1\t\\N\tx\t\ty\n'));
  it('escapes tabs, backslashes and line breaks', () =>
    expect(copyLine(2, ['a\tb', 'c\\d', 'e\nf'], 3, null, false)).toBe('2\t\\N\ta\\tb\tc\\\\d\te\\nf\n'));
  it('escapes a tab even in a record read without quotes', () =>
    expect(copyLine(3, ['a\tb', 'c'], 2, null, true)).toBe('3\t\\N\ta\\tb\tc\n'));
  it('stages a record of the wrong width with its error and no values', () =>
    expect(copyLine(4, ['a'], 3, null, true)).toBe('4\tThe row has 1 values; the header has 3.\t\\N\t\\N\t\\N\n'));
  it('stages a record with a parse error', () => expect(copyLine(5, ['a', 'b'], 2, 'bad', false)).toBe('5\tbad\t\\N\t\\N\n'));
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

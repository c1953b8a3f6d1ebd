import { describe, expect, it } from 'vitest';
import { WeightedIndex, createRng, rankWeights } from './prng';
import { expectBetween } from '../../tests/support/expect';

describe('createRng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(seqA);
  });

  it('pins the first outputs so a seed keeps meaning the same demo people', () => {
    const r = createRng(1);
    expect(Array.from({ length: 4 }, () => r.int(1_000_000))).toEqual([425649, 790421, 691014, 524112]);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const r = createRng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]!++;
    }
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('separates seeds wider than 32 bits', () => {
    expect(createRng(2 ** 32 + 5).next()).not.toBe(createRng(5).next());
    expect(() => createRng(1.5)).toThrow(RangeError);
  });
});

describe('WeightedIndex', () => {
  it('draws indexes in proportion to their weights', () => {
    const w = new WeightedIndex([1, 0, 3]);
    const r = createRng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[w.draw(r)]!++;
    expect(counts[1]).toBe(0);
    expectBetween(counts[2]! / counts[0]!, 2.8, 3.2);
  });

  it('refuses empty or all-zero weights', () => {
    expect(() => new WeightedIndex([])).toThrow(RangeError);
    expect(() => new WeightedIndex([0, 0])).toThrow(RangeError);
    expect(() => new WeightedIndex([1, -1])).toThrow(RangeError);
  });

  it('rankWeights favours the head of a list', () => {
    const w = rankWeights(5);
    expect(w[0]).toBe(1);
    expect(w[4]!).toBeLessThan(w[3]!);
  });
});

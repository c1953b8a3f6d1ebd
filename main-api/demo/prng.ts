// Seeded pseudo-random numbers for the demo region. The same seed must give the same rows on
// every machine and Node version, so this uses plain 32-bit integer arithmetic (sfc32, seeded
// through splitmix32) instead of Math.random or a library whose sequence may change.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError('The seed must be an integer.');
  // Fold seeds wider than 32 bits so that large seeds still differ from each other.
  const seedMix = splitmix32((seed >>> 0) ^ Math.floor(seed / 2 ** 32));
  let a = seedMix();
  let b = seedMix();
  let c = seedMix();
  let d = seedMix() | 1;
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes its state over the first few rounds.
  for (let i = 0; i < 12; i++) nextU32();
  const next = (): number => nextU32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('Cannot pick from an empty list.');
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}

/** Draws an index with probability proportional to its weight (cumulative table, binary search). */
export class WeightedIndex {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new RangeError('At least one weight is needed.');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      if (!(w >= 0)) throw new RangeError('Weights must be non-negative numbers.');
      sum += w;
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('At least one weight must be positive.');
    this.total = sum;
  }

  draw(rng: Rng): number {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (x < (this.cumulative[mid] as number)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Weighted choice of items; weights given alongside. */
export class WeightedPicker<T> {
  private readonly index: WeightedIndex;
  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length !== weights.length) throw new RangeError('One weight per item is needed.');
    this.index = new WeightedIndex(weights);
  }
  draw(rng: Rng): T {
    return this.items[this.index.draw(rng)] as T;
  }
}

/** Zipf-like weights so that names early in a list are more common, as in real populations. */
export function rankWeights(count: number, exponent = 0.8): number[] {
  return Array.from({ length: count }, (_, i) => 1 / Math.pow(i + 1, exponent));
}

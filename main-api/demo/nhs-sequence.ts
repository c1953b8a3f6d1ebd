// Synthetic NHS numbers for the demo: only the 999 range, which is never issued to real people.
// Numbers are taken in order of their nine-digit stem, skipping stems that have no valid check
// digit, so a load never needs to look for collisions among the numbers it makes.
import { nhsCheckDigit } from '../shared/identifiers/nhs-number';

export const DEMO_FIRST_STEM = 999_000_000;
const DEMO_LAST_STEM = 999_999_999;

/** Turns stems into numbers in order, from a first stem to the end of the 999 range. */
class StemSequence {
  constructor(
    private stem: number,
    private readonly usedUp: string,
  ) {}

  next(): string {
    while (this.stem <= DEMO_LAST_STEM) {
      const stem = String(this.stem++);
      const check = nhsCheckDigit(stem);
      if (check !== null) return stem + check;
    }
    throw new RangeError(this.usedUp);
  }
}

/** The demo's numbers: only the 999 range. */
export class NhsNumberSequence extends StemSequence {
  /** Starts at the first usable stem at or after `firstStem`. */
  constructor(firstStem: number = DEMO_FIRST_STEM) {
    if (firstStem < DEMO_FIRST_STEM) throw new RangeError('Demo NHS numbers stay in the 999 range.');
    super(firstStem, 'The 999 range of synthetic NHS numbers is used up.');
  }
}

/** How many valid numbers the 999 range holds from `firstStem` on (computed once, ~1M stems). */
export function demoCapacityFrom(firstStem: number = DEMO_FIRST_STEM): number {
  let count = 0;
  for (let stem = Math.max(firstStem, DEMO_FIRST_STEM); stem <= DEMO_LAST_STEM; stem++) {
    if (nhsCheckDigit(String(stem)) !== null) count++;
  }
  return count;
}

/** The stem after an existing number, so that an appended load continues the sequence. */
export function stemAfter(nhsNumber: string | null): number {
  if (!nhsNumber) return DEMO_FIRST_STEM;
  return Math.max(DEMO_FIRST_STEM, Number(nhsNumber.slice(0, 9)) + 1);
}

/**
 * Numbers for throughput benchmarks only, in a throwaway database that is dropped afterwards:
 * the 999 range holds about 909,000 valid numbers, fewer than the 2,000,000-person benchmark
 * needs, so the benchmark continues below it in the 990-998 block, which is not issued to
 * patients either. Never used by `ims demo` or the desktop demo region.
 */
export class BenchmarkNhsNumbers extends StemSequence {
  constructor() {
    super(990_000_000, 'The benchmark number block is used up.');
  }
}

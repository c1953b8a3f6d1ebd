// Assertions the suite repeats: a measured share or count within the band a test allows.
import { expect } from 'vitest';

/** Asserts low < actual < high, naming what was measured when it fails. */
export function expectBetween(actual: number | undefined, low: number, high: number, what?: string): void {
  expect(actual, what).toBeGreaterThan(low);
  expect(actual, what).toBeLessThan(high);
}

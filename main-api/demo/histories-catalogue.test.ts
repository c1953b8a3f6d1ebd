import { describe, expect, it } from 'vitest';
import { requireDay } from '../shared/calendar/dates';
import { BATCH_EPOCH, planBatches } from './histories-catalogue';

describe('planBatches', () => {
  const asOf = requireDay('2026-10-01');
  const batches = planBatches(asOf);

  it('is the same every time, whatever the seed of the load', () => {
    expect(planBatches(asOf)).toEqual(batches);
  });

  it('gives each product distinct, well-formed batch numbers', () => {
    const keys = new Set(batches.map((b) => `${b.product} ${b.number}`));
    expect(keys.size).toBe(batches.length);
    for (const b of batches) expect(b.number).toMatch(/^[A-Z0-9]{4,14}$/);
  });

  it('delivers each batch before its quarter and lets it expire well after', () => {
    for (const b of batches) {
      const quarter = Math.floor((b.received + 35 - BATCH_EPOCH) / 91);
      const quarterEnd = BATCH_EPOCH + (quarter + 1) * 91;
      expect(b.received).toBeLessThan(BATCH_EPOCH + quarter * 91);
      expect(b.expiry).toBeGreaterThanOrEqual(quarterEnd + 180);
    }
  });
});

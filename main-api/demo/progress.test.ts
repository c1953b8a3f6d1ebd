import { describe, expect, it } from 'vitest';
import type { DemoProgress } from './load';
import { overallFraction, phaseLabel } from './progress';

describe('overallFraction', () => {
  it('never moves backwards across the phases of a load', () => {
    const steps: DemoProgress[] = [
      { phase: 'reference', done: 0, total: 1 },
      { phase: 'reference', done: 1, total: 1 },
      { phase: 'persons', done: 0, total: 100 },
      { phase: 'persons', done: 50, total: 100 },
      { phase: 'persons', done: 100, total: 100 },
      { phase: 'contacts', done: 0, total: 10 },
      { phase: 'flags', done: 5, total: 10 },
      { phase: 'staff', done: 10, total: 10 },
      { phase: 'indexes', done: 1, total: 4 },
      { phase: 'analyse', done: 0, total: 1 },
      { phase: 'done', done: 1, total: 1 },
    ];
    const fractions = steps.map(overallFraction);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]!).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(overallFraction({ phase: 'persons', done: 50, total: 100 })).toBeCloseTo(0.27);
  });

  it('labels phases in plain words', () => {
    expect(phaseLabel({ phase: 'flags', done: 0, total: 1 })).toBe('clinical risk groups');
  });
});

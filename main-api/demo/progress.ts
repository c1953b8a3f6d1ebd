// One overall fraction for the demo load's phases, so a progress bar only moves forward.
import type { DemoProgress } from './load';

const PHASES: [DemoProgress['phase'], number][] = [
  ['reference', 0.02],
  ['persons', 0.5],
  ['contacts', 0.08],
  ['flags', 0.03],
  ['staff', 0.02],
  ['histories', 0.2],
  ['indexes', 0.1],
  ['analyse', 0.05],
];

const LABELS: Record<DemoProgress['phase'], string> = {
  reference: 'places, practices and schools',
  persons: 'people',
  contacts: 'contact details',
  flags: 'clinical risk groups',
  staff: 'staff records',
  histories: 'vaccination histories',
  indexes: 'search indexes',
  analyse: 'statistics',
  done: 'finished',
};

export function overallFraction(p: DemoProgress): number {
  if (p.phase === 'done') return 1;
  let before = 0;
  for (const [phase, weight] of PHASES) {
    if (phase === p.phase) return before + weight * (p.total > 0 ? Math.min(1, p.done / p.total) : 0);
    before += weight;
  }
  return before;
}

export const phaseLabel = (p: DemoProgress): string => LABELS[p.phase];

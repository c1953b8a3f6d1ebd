// Micro benchmark for population runs: synthetic children with realistic histories.
import { fileURLToPath } from 'node:url';
import { compileSchedule, type CompiledRules } from './compile';
import { addMonthsDays, formatDay, parseDay } from '../shared/calendar/dates';
import { forecast } from './forecast';
import { loadScheduleFiles } from './load';
import type { EventInput, PersonInput } from './types';

export const RULES_DIR = fileURLToPath(new URL('../../resources/schedule/', import.meta.url));

export function loadDefaultRules(dir: string = RULES_DIR): CompiledRules {
  const loaded = loadScheduleFiles(dir);
  return compileSchedule(loaded.versions, loaded.campaigns, loaded.catchUp);
}

const SIX = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB', 'HEPB'];
const MMR = ['MEASLES', 'MUMPS', 'RUBELLA'];
const MMRV = [...MMR, 'VARICELLA'];

/**
 * Deterministic synthetic children aged 0-18 with mostly complete, sometimes patchy histories.
 * Each child is a little later at every visit than the one before (as real families are), so
 * intervals stay valid and a history follows the schedule of the child's own cohort.
 */
export function syntheticChildren(n: number, asOf: string): { person: PersonInput; events: EventInput[] }[] {
  const today = parseDay(asOf);
  const july2024 = parseDay('2024-07-01');
  const jan2025 = parseDay('2025-01-01');
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const out: { person: PersonInput; events: EventInput[] }[] = [];
  for (let i = 0; i < n; i++) {
    const dob = today - Math.floor(rnd() * 18 * 365);
    const events: EventInput[] = [];
    let late = 0;
    // One visit: several products given the same day, each occasionally missed.
    const visit = (months: number, days: number, products: string[][]) => {
      late += Math.floor(rnd() * 6);
      const day = addMonthsDays(dob, months, days) + late;
      if (day > today) return;
      for (const antigens of products) {
        if (rnd() > 0.04) events.push({ id: `${i}-${events.length}`, date: formatDay(day), antigens, outcome: 'GIVEN' });
      }
    };
    const newCohort = dob >= july2024;
    visit(0, 56, [SIX, ['MENB'], ['ROTAVIRUS']]);
    visit(0, 84, [SIX, ['MENB'], ['ROTAVIRUS']]);
    visit(0, 112, [SIX, ['PCV']]);
    visit(12, 0, [['PCV'], ['MENB'], dob >= jan2025 ? MMRV : MMR, ...(newCohort ? [] : [['HIB', 'MENC']])]);
    if (newCohort) visit(18, 0, [SIX, MMRV]);
    visit(40, 0, [['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO'], ...(newCohort ? [] : [MMR])]);
    visit(150, 0, [['HPV']]);
    visit(170, 0, [['DIPHTHERIA', 'TETANUS', 'POLIO'], ['MENACWY']]);
    if (rnd() < 0.3) events.push({ date: formatDay(today - 20), antigens: ['INFLUENZA'], outcome: 'GIVEN' });
    const flags = rnd() < 0.1 ? [{ code: 'CHRONIC_RESPIRATORY', from: formatDay(dob + 400), to: null }] : [];
    out.push({ person: { dateOfBirth: formatDay(dob), flags }, events });
  }
  return out;
}

/** Forecasts n synthetic children and returns persons per second (explanations on unless told). */
export function benchForecast(n: number, options: { explain?: boolean; asOf?: string; rules?: CompiledRules } = {}): number {
  const asOf = options.asOf ?? '2026-02-01';
  const rules = options.rules ?? loadDefaultRules();
  const people = syntheticChildren(n, asOf);
  const explain = options.explain ?? true;
  // Warm up so the JIT has compiled the hot path before timing.
  for (let i = 0; i < Math.min(200, n); i++) {
    const p = people[i] as (typeof people)[number];
    forecast(rules, p.person, p.events, asOf, { explain });
  }
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (const p of people) sink += forecast(rules, p.person, p.events, asOf, { explain }).series.length;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0) throw new Error('unreachable');
  return n / seconds;
}

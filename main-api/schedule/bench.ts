// Micro benchmark for population runs: synthetic children with realistic histories.
import { fileURLToPath } from 'node:url';
import { compileSchedule, type CompiledRules } from './compile';
import { addMonthsDays, dayFromCivil, formatDay } from './dates';
import { forecast } from './forecast';
import { loadScheduleFiles } from './load';
import type { EventInput, PersonInput } from './types';

export const RULES_DIR = fileURLToPath(new URL('../../resources/schedule/', import.meta.url));

export function loadDefaultRules(dir: string = RULES_DIR): CompiledRules {
  const loaded = loadScheduleFiles(dir);
  return compileSchedule(loaded.versions, loaded.campaigns);
}

const SIX = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB', 'HEPB'];

/** Deterministic synthetic children aged 0-18 with mostly complete, sometimes patchy histories. */
export function syntheticChildren(n: number, asOf: string): { person: PersonInput; events: EventInput[] }[] {
  const [y, m, d] = asOf.split('-').map(Number) as [number, number, number];
  const today = dayFromCivil(y, m, d);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  const out: { person: PersonInput; events: EventInput[] }[] = [];
  for (let i = 0; i < n; i++) {
    const dob = today - Math.floor(rnd() * 18 * 365);
    const events: EventInput[] = [];
    const give = (months: number, days: number, antigens: string[]) => {
      const day = addMonthsDays(dob, months, days + Math.floor(rnd() * 10));
      if (day <= today && rnd() > 0.05) events.push({ id: events.length, date: formatDay(day), antigens, outcome: 'GIVEN' });
    };
    give(0, 56, SIX); give(0, 56, ['MENB']); give(0, 56, ['ROTAVIRUS']);
    give(0, 84, SIX); give(0, 84, ['MENB']); give(0, 84, ['ROTAVIRUS']);
    give(0, 112, SIX); give(0, 112, ['PCV']);
    give(12, 0, ['PCV']); give(12, 0, ['MENB']); give(12, 0, ['MEASLES', 'MUMPS', 'RUBELLA']); give(12, 0, ['HIB', 'MENC']);
    give(40, 0, ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO']); give(40, 0, ['MEASLES', 'MUMPS', 'RUBELLA']);
    give(150, 0, ['HPV']); give(170, 0, ['DIPHTHERIA', 'TETANUS', 'POLIO']); give(170, 0, ['MENACWY']);
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


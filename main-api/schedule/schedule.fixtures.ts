// Shared helpers for the schedule tests: the shipped rules, compiled once.
import { loadDefaultRules } from './schedule.bench';
import { forecast } from './forecast';
import type { EventInput, PersonInput, SeriesForecast } from './types';

export const rules = loadDefaultRules();

export const SIX = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB', 'HEPB'];
export const MMR = ['MEASLES', 'MUMPS', 'RUBELLA'];
export const MMRV = [...MMR, 'VARICELLA'];
export const DTAP_IPV = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO'];

export function person(dateOfBirth: string, extra: Partial<PersonInput> = {}): PersonInput {
  return { dateOfBirth, flags: [], ...extra };
}

let nextId = 1;
export function given(date: string, antigens: string[]): EventInput {
  return { id: nextId++, date, antigens, outcome: 'GIVEN' };
}

export function series(p: PersonInput, events: EventInput[], asOf: string, id: string): SeriesForecast {
  const s = forecast(rules, p, events, asOf).series.find((x) => x.seriesId === id);
  if (!s) throw new Error(`series ${id} missing`);
  return s;
}

/** 'YYYY-MM-DD' plus n days, computed independently of the engine (UTC, no local time). */
export function plusDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

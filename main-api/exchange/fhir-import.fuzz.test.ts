// The FHIR reader fed random and mutated JSON: it must answer (never throw, never hang) and a
// refusal must name where. Seeded, so a failure is repeatable.
import { describe, expect, it } from 'vitest';
import { bundle, immunization } from './exchange.fixtures';
import { parseFhirImmunizations, parseFhirText } from './fhir-import.rules';

const TODAY = '2026-10-05';
const ODD: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  Number.NaN,
  '',
  ' ',
  '\u0000',
  'x'.repeat(5000),
  '#Pat1',
  [],
  {},
  [[[]]],
  { resourceType: 'Patient' },
  '2021-02-30',
  '9990000018',
];

type Rand = () => number;

/** mulberry32: a small seeded generator, enough for repeatable fuzzing. */
function prng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Every path to a value inside a JSON tree. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function mutate(rand: Rand, doc: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  const all = paths(copy).filter((p) => p.length > 0);
  for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
    const p = pick(rand, all);
    let o = copy as Record<string | number, unknown> | undefined;
    for (const k of p.slice(0, -1)) o = o && typeof o === 'object' ? (o[k] as Record<string | number, unknown>) : undefined;
    if (!o || typeof o !== 'object') continue;
    const last = p.at(-1)!;
    if (rand() < 0.3) delete o[last];
    else o[last] = pick(rand, ODD);
  }
  return copy;
}

function randomJson(rand: Rand, depth = 0): unknown {
  const r = rand();
  if (depth > 5 || r < 0.3) return pick(rand, ODD);
  if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth + 1));
  const keys = ['resourceType', 'entry', 'resource', 'status', 'patient', 'contained', 'identifier', 'coding', 'reference', 'x'];
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) o[pick(rand, keys)] = randomJson(rand, depth + 1);
  if (rand() < 0.5) o.resourceType = pick(rand, ['Immunization', 'Bundle', 'Patient']);
  return o;
}

describe('the FHIR reader under random input', () => {
  it('answers every mutated resource and bundle without throwing, quickly', () => {
    const rand = prng(20261005);
    const seeds = [immunization(), immunization({ status: 'not-done' }), bundle([immunization({ id: 'a' }), immunization({ id: 'b' })])];
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      const doc = mutate(rand, pick(rand, seeds));
      const r = parseFhirImmunizations(doc, TODAY);
      if (!r.ok) expect(r.issues.length).toBeGreaterThan(0);
      if (!r.ok) for (const issue of r.issues) expect(issue.path).toMatch(/^(\$|resourceType|Immunization|Bundle)/);
    }
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('answers random JSON and random text', () => {
    const rand = prng(7);
    for (let i = 0; i < 3000; i++) expect(() => parseFhirImmunizations(randomJson(rand), TODAY)).not.toThrow();
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: Math.floor(rand() * 60) }, () => String.fromCharCode(Math.floor(rand() * 128))).join('');
      expect(() => parseFhirText(text, TODAY)).not.toThrow();
    }
  });

  it('answers a very large or deeply nested document in bounded time', () => {
    const many = bundle(Array.from({ length: 6000 }, (_, i) => immunization({ id: `n${i}` })));
    const started = Date.now();
    const r = parseFhirImmunizations(many, TODAY);
    expect(r.ok).toBe(false);
    let deep: unknown = immunization();
    for (let i = 0; i < 10_000; i++) deep = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: deep }] };
    expect(() => parseFhirImmunizations(deep, TODAY)).not.toThrow();
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

// Runs every conformance case (cases/*.json, layout in README.md) against the shipped rules.
// Only the fields a case states are compared, so a case says exactly what it rests on.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catchUpPlan } from '../catch-up';
import { forecast } from '../forecast';
import { rules } from '../schedule.fixtures';
import type { EventInput, PersonInput, SeriesForecast } from '../types';
import type { NotGivenReason } from '../../shared/vocabulary/vaccination';

interface SeriesExpectation {
  id: string;
  status?: string;
  nextDose?: number | null;
  nextProduct?: string | null;
  dueFrom?: string | null;
  dueDate?: string | null;
  overdueFrom?: string | null;
  latestDate?: string | null;
  offer?: string | null;
  vaccineGroup?: string;
  counted?: { date: string; dose: number }[];
  notCounted?: string[];
  ignored?: string[];
  explanationIncludes?: string[];
}

interface CampaignExpectation {
  id: string;
  status?: string;
  eligible?: boolean;
  eligibleFrom?: string | null;
  givenOn?: string | null;
  offer?: string | null;
  explanationIncludes?: string[];
}

interface Case {
  id: string;
  title: string;
  source: string;
  rule: string | null;
  person: PersonInput;
  history: { date: string; product: string; outcome?: 'GIVEN' | 'NOT_GIVEN'; reason?: NotGivenReason }[];
  assessmentDate: string;
  expect: {
    series?: SeriesExpectation[];
    absentSeries?: string[];
    campaigns?: CampaignExpectation[];
    catchUp?: { visits: { date: string; doses: string[] }[]; needsAssessment?: string[] };
  };
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const products = JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Record<string, string[]>;
const suites = readdirSync(join(dir, 'cases'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, 'cases', f), 'utf8')) as { suite: string; cases: Case[] }) }));
const all = suites.flatMap((s) => s.cases);

function events(c: Case): EventInput[] {
  return c.history.map((h, i) => {
    const antigens = products[h.product];
    if (!antigens) throw new Error(`${c.id}: unknown product '${h.product}' (add it to products.json)`);
    return { id: i + 1, date: h.date, antigens, productName: h.product, outcome: h.outcome ?? 'GIVEN', reason: h.reason ?? null };
  });
}

function checkSeries(got: SeriesForecast, want: SeriesExpectation): void {
  const fields = ['status', 'nextDose', 'nextProduct', 'dueFrom', 'dueDate', 'overdueFrom', 'latestDate', 'offer', 'vaccineGroup'] as const;
  for (const f of fields) if (want[f] !== undefined) expect(got[f], `${want.id}.${f}`).toBe(want[f]);
  const counted = got.dosesCounted.map((d) => ({ date: d.date, dose: d.doseNumber }));
  for (const d of want.counted ?? []) expect(counted, `${want.id} counted`).toContainEqual(d);
  for (const d of want.notCounted ?? [])
    expect(
      counted.map((x) => x.date),
      `${want.id} not counted`,
    ).not.toContain(d);
  for (const d of want.ignored ?? [])
    expect(
      got.dosesIgnored.map((x) => x.date),
      `${want.id} ignored`,
    ).toContain(d);
  const text = got.explanation.join('\n');
  for (const t of want.explanationIncludes ?? []) expect(text, `${want.id} explanation`).toContain(t);
}

describe('conformance suite layout', () => {
  it('has at least 150 cases, unique ids, each citing its source', () => {
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const c of all) expect(c.source.trim().length, c.id).toBeGreaterThan(0);
  });
});

for (const suite of suites) {
  describe(`${suite.file}: ${suite.suite}`, () => {
    it.each(suite.cases.map((c) => [`${c.id} ${c.title}`, c] as const))('%s', (_name, c) => {
      const history = events(c);
      const f = forecast(rules, c.person, history, c.assessmentDate);
      for (const want of c.expect.series ?? []) {
        const got = f.series.find((s) => s.seriesId === want.id);
        expect(got, `series ${want.id}`).toBeDefined();
        checkSeries(got as SeriesForecast, want);
      }
      for (const id of c.expect.absentSeries ?? []) expect(f.series.map((s) => s.seriesId)).not.toContain(id);
      for (const want of c.expect.campaigns ?? []) {
        const got = f.campaigns.find((x) => x.campaignId === want.id);
        expect(got, `campaign ${want.id}`).toBeDefined();
        for (const k of ['status', 'eligible', 'eligibleFrom', 'givenOn', 'offer'] as const)
          if (want[k] !== undefined) expect(got?.[k], `${want.id}.${k}`).toBe(want[k]);
        for (const t of want.explanationIncludes ?? []) expect(got?.explanation.join('\n')).toContain(t);
      }
      if (c.expect.catchUp) {
        const plan = catchUpPlan(rules, c.person, history, c.assessmentDate);
        const visits = plan.visits.map((v) => ({ date: v.date, doses: v.doses.map((d) => `${d.seriesId}:${d.dose}`) }));
        expect(visits).toEqual(c.expect.catchUp.visits);
        for (const v of plan.visits) for (const d of v.doses) expect(d.why.length, `${d.seriesId} explained`).toBeGreaterThan(0);
        if (c.expect.catchUp.needsAssessment) expect(plan.needsAssessment.map((n) => n.seriesId)).toEqual(c.expect.catchUp.needsAssessment);
      }
    });
  });
}

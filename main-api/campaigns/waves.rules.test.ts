import { describe, expect, it } from 'vitest';
import { ReleasePlan } from '../contract/campaigns';
import { MAX_WAVES_LISTED, planWaves } from './waves.rules';

const plan = (p: Record<string, unknown>) => ReleasePlan.parse({ startOn: '2026-10-01', ...p });

describe('wave planning', () => {
  it('releases a cap a day until everyone is placed, the last wave partial', () => {
    const r = planWaves(25, plan({ mode: 'per-day', cap: 10 }), []);
    expect(r.waves.map((w) => [w.wave, w.releaseOn, w.people, w.slots])).toEqual([
      [1, '2026-10-01', 10, 10],
      [2, '2026-10-02', 10, 10],
      [3, '2026-10-03', 5, 10],
    ]);
    expect(r).toMatchObject({ totalWaves: 3, exhaustedOn: '2026-10-03', leftOver: 0, people: 25 });
  });

  it('releases a cap a week, across the month end', () => {
    const r = planWaves(100, plan({ mode: 'per-week', cap: 40, startOn: '2026-10-29' }), []);
    expect(r.waves.map((w) => w.releaseOn)).toEqual(['2026-10-29', '2026-11-05', '2026-11-12']);
    expect(r.exhaustedOn).toBe('2026-11-12');
  });

  it('sizes waves to clinic days from the start plus the lead, released the lead before each day', () => {
    const days = [
      { day: '2026-10-20', slots: 30 },
      { day: '2026-10-10', slots: 50 }, // before the start + lead: not counted
      { day: '2026-10-16', slots: 20 },
      { day: '2026-10-27', slots: 100 },
    ];
    const r = planWaves(70, plan({ mode: 'clinic', startOn: '2026-10-01', leadDays: 14 }), days);
    expect(r.waves).toEqual([
      { wave: 1, releaseOn: '2026-10-02', people: 20, slots: 20, clinicDay: '2026-10-16' },
      { wave: 2, releaseOn: '2026-10-06', people: 30, slots: 30, clinicDay: '2026-10-20' },
      { wave: 3, releaseOn: '2026-10-13', people: 20, slots: 100, clinicDay: '2026-10-27' },
    ]);
    expect(r).toMatchObject({ exhaustedOn: '2026-10-13', leftOver: 0 });
  });

  it('leaves people over when the clinics run out, with no exhaustion date', () => {
    const r = planWaves(60, plan({ mode: 'clinic', startOn: '2026-10-01' }), [{ day: '2026-10-05', slots: 25 }]);
    expect(r).toMatchObject({ totalWaves: 1, exhaustedOn: null, leftOver: 35 });
  });

  it('plans nothing for nobody', () => {
    expect(planWaves(0, plan({ mode: 'per-day', cap: 5 }), [])).toEqual({
      people: 0,
      waves: [],
      totalWaves: 0,
      exhaustedOn: null,
      leftOver: 0,
    });
  });

  it('lists at most the first thousand waves but counts them all', () => {
    const r = planWaves(5000, plan({ mode: 'per-day', cap: 1 }), []);
    expect(r.waves).toHaveLength(MAX_WAVES_LISTED);
    expect(r.totalWaves).toBe(5000);
    expect(r.exhaustedOn).toBe('2040-06-08');
  });

  it('is refused a cap-less plan by the contract', () => {
    expect(ReleasePlan.safeParse({ mode: 'per-day', startOn: '2026-10-01' }).success).toBe(false);
    expect(ReleasePlan.safeParse({ mode: 'clinic', startOn: '2026-10-01', priority: 'practice-order' }).success).toBe(false);
  });
});

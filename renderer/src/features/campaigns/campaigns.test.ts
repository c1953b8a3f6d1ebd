import { describe, expect, it } from 'vitest';
import { clinicCapacity, defaultPlan, funnel, planInput } from './campaigns';

describe('campaign figures', () => {
  it('gives each funnel step its share of those invited', () => {
    expect(funnel({ invited: 200, booked: 50 })).toEqual([
      { label: 'Invited', count: 200, percent: 100 },
      { label: 'Booked', count: 50, percent: 25 },
    ]);
    expect(funnel({ invited: 0, booked: 0 }).map((s) => s.percent)).toEqual([null, null]);
  });

  it('counts the slots of sessions from a day on', () => {
    const session = (date: string, slots: number) => ({ id: 1, date, startsAt: '09:00', endsAt: '12:00', slots });
    const clinics = [
      { id: 1, name: 'A', siteCode: null, postcode: null, sessions: [session('2026-10-01', 100), session('2026-12-10', 80)] },
      { id: 2, name: 'B', siteCode: null, postcode: null, sessions: [session('2026-12-02', 40)] },
    ];
    expect(clinicCapacity(clinics, '2026-12-02')).toEqual({ sessions: 2, slots: 120 });
  });

  it('sends only what the release mode and priority use', () => {
    const f = { ...defaultPlan('2026-12-02'), priority: 'practice-order' as const, practiceOrder: 'g89001, g89002 G89001' };
    expect(planInput(f)).toEqual({
      mode: 'per-day',
      cap: 500,
      startOn: '2026-12-02',
      leadDays: 0,
      priority: 'practice-order',
      practiceOrder: ['G89001', 'G89002', 'G89001'],
    });
    expect(planInput({ ...defaultPlan('2026-12-02'), mode: 'clinic' })).toMatchObject({ cap: null, leadDays: 7, practiceOrder: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { bookedShare, clinicCapacity, defaultPlan, funnelSteps, planInput } from './campaigns';

describe('campaign figures', () => {
  it('gives each funnel step its share of those eligible, or of those invited without a confirmed cohort', () => {
    const f = { eligible: 400, invited: 200, reminded: 100, booked: 50, attended: 40, didNotAttend: 10, vaccinated: 60 };
    expect(funnelSteps(f).map((s) => [s.label, s.percent])).toEqual([
      ['Eligible (confirmed cohorts)', 100],
      ['Invited', 50],
      ['Reminded', 25],
      ['Booked', 13],
      ['Attended', 10],
      ['Did not attend', 3],
      ['Vaccinated since invited', 15],
    ]);
    expect(funnelSteps({ ...f, eligible: 0 })[3]!.percent).toBe(25);
    expect(funnelSteps({ ...f, eligible: 0, invited: 0 })[3]!.percent).toBeNull();
    expect(bookedShare({ invited: 200, booked: 50 })).toBe(25);
    expect(bookedShare({ invited: 0, booked: 0 })).toBeNull();
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

// Catch-up plans for children with incomplete or overseas histories, against the cases in UKHSA's
// 'Vaccination of individuals with uncertain or incomplete immunisation status' and the edge
// rules the plan rests on: resume never restart, minimum intervals, upper ages, visit spacing.
import { describe, expect, it } from 'vitest';
import { catchUpPlan, type CatchUpPlan } from './catch-up';
import { DTAP_IPV, MMR, SIX, given, person, plusDays, rules } from './schedule.fixtures';

const DTAP_IPV_HIB = [...DTAP_IPV, 'HIB'];

function visits(plan: CatchUpPlan): { date: string; doses: string[] }[] {
  return plan.visits.map((v) => ({ date: v.date, doses: v.doses.map((d) => `${d.seriesId}:${d.dose}`) }));
}

function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

function everyVisitFourWeeksApart(plan: CatchUpPlan): void {
  for (let i = 1; i < plan.visits.length; i++) {
    const prev = plan.visits[i - 1]?.date as string;
    expect(daysBetween(prev, plan.visits[i]?.date as string), `visit ${i + 1}`).toBeGreaterThanOrEqual(28);
  }
}

describe('catch-up plans for the published cases', () => {
  it('a 14-month-old with no doses: 6-in-1, one PCV and MenB after the first birthday, MMRV, then the course a month apart', () => {
    const plan = catchUpPlan(rules, person('2025-01-15'), [], '2026-03-15');
    expect(visits(plan)).toEqual([
      { date: '2026-03-15', doses: ['SIX-IN-1:1', 'MENB:1', 'PCV:2', 'MMR:1'] },
      { date: '2026-04-12', doses: ['SIX-IN-1:2'] },
      // The second MenB dose after the first birthday waits 8 weeks after the first.
      { date: '2026-05-10', doses: ['SIX-IN-1:3', 'MENB:3'] },
      { date: '2026-07-15', doses: ['SIX-IN-1:4', 'MMR:2'] },
    ]);
    const first = plan.visits[0];
    // Infant PCV priming is not needed after the first birthday: the plan says so.
    expect(first?.doses.find((d) => d.seriesId === 'PCV')?.why.join('\n')).toContain(
      'Dose 1 was not given before 1 year, so it is no longer needed',
    );
    // MMR and varicella are one MMRV injection.
    expect(first?.doses.find((d) => d.seriesId === 'MMR')?.product).toBe('MMRV');
    expect(first?.doses.some((d) => d.seriesId === 'VARICELLA')).toBe(false);
    everyVisitFourWeeksApart(plan);
    for (const v of plan.visits.slice(1))
      for (const d of v.doses) expect(d.why.join('\n')).toContain('at least 4 weeks after the previous visit');
  });

  it('a 3-year-old with one DTaP/IPV/Hib dose from abroad resumes with 6-in-1 dose 2, never restarting', () => {
    const abroad = { ...given('2023-04-10', DTAP_IPV_HIB), productName: 'DTaP/IPV/Hib' };
    const plan = catchUpPlan(rules, person('2023-01-10'), [abroad], '2026-02-10');
    expect(visits(plan)).toEqual([
      { date: '2026-02-10', doses: ['SIX-IN-1:2', 'MMR:1'] },
      { date: '2026-03-10', doses: ['SIX-IN-1:3'] },
      { date: '2026-05-10', doses: ['MMR:2'] },
      // The pre-school booster a year after the primary course is completed.
      { date: '2027-03-10', doses: ['PRESCHOOL:1'] },
    ]);
    expect(plan.credited).toEqual([
      expect.objectContaining({ date: '2023-04-10', product: 'DTaP/IPV/Hib', seriesId: 'SIX-IN-1', rule: 'CU-DTAP-IPV-HIB' }),
    ]);
    expect(plan.explanation.join('\n')).toContain(
      'The DTaP/IPV/Hib dose on 10 April 2023 counts as a dose of 6-in-1 (DTaP/IPV/Hib/HepB) (CU-DTAP-IPV-HIB',
    );
    // The Hib dose after the first birthday is given by the 6-in-1 at the first visit.
    expect(plan.visits[0]?.coveredBy).toContainEqual(expect.objectContaining({ seriesId: 'HIB-AFTER-1', by: 'SIX-IN-1' }));
    everyVisitFourWeeksApart(plan);
  });

  it('a 10-year-old with no MMR: two doses four weeks apart and nothing else', () => {
    const history = [
      given('2016-03-20', SIX),
      given('2016-04-20', SIX),
      given('2016-05-20', SIX),
      given('2017-01-25', ['HIB', 'MENC']),
      given('2019-05-25', DTAP_IPV),
    ];
    const plan = catchUpPlan(rules, person('2016-01-20'), history, '2026-03-01');
    expect(visits(plan)).toEqual([
      { date: '2026-03-01', doses: ['MMR:1'] },
      { date: '2026-03-29', doses: ['MMR:2'] },
    ]);
  });

  it('a baby past rotavirus upper age: rotavirus is left out with the reason, the rest of the infant course planned', () => {
    const plan = catchUpPlan(rules, person('2025-10-01'), [], '2026-02-18');
    expect(plan.visits.flatMap((v) => v.doses.map((d) => d.seriesId))).not.toContain('ROTAVIRUS');
    expect(plan.notPlanned).toContainEqual({
      seriesId: 'ROTAVIRUS',
      seriesName: expect.any(String) as string,
      status: 'TOO_LATE',
      reason: 'Too late: the last day for dose 1 was 13 January 2026; it is never given late',
    });
    expect(visits(plan)[0]).toEqual({ date: '2026-02-18', doses: ['SIX-IN-1:1', 'MENB:1', 'PCV:1'] });
  });
});

describe('catch-up plan edge rules', () => {
  it('a dose given too early does not count, and the plan says why', () => {
    const early = given('2025-10-29', SIX);
    const plan = catchUpPlan(rules, person('2025-10-01'), [early], '2026-01-10');
    expect(visits(plan)[0]?.doses).toContain('SIX-IN-1:1');
    expect(plan.notCounted).toContainEqual(expect.objectContaining({ seriesId: 'SIX-IN-1', date: '2025-10-29' }));
    const why = plan.visits[0]?.doses.find((d) => d.seriesId === 'SIX-IN-1')?.why.join('\n') ?? '';
    expect(why).toContain('The dose on 29 October 2025 does not count: given at 4 weeks, before the earliest age of 6 weeks');
  });

  it('rotavirus still started at 14 weeks is planned, its second dose 4 weeks later', () => {
    const plan = catchUpPlan(rules, person('2025-10-01'), [], '2026-01-10');
    expect(visits(plan).slice(0, 2)).toEqual([
      { date: '2026-01-10', doses: ['SIX-IN-1:1', 'ROTAVIRUS:1', 'MENB:1'] },
      { date: '2026-02-07', doses: ['SIX-IN-1:2', 'ROTAVIRUS:2', 'MENB:2', 'PCV:1'] },
    ]);
  });

  it('the minimum interval after a recent dose sets the first visit, not the assessment date', () => {
    // First doses given abroad two weeks ago: the second doses wait until 4 weeks after them.
    const history = [given('2025-12-01', SIX), given('2025-12-01', ['MENB']), given('2025-12-01', ['PCV'])];
    const plan = catchUpPlan(rules, person('2025-08-01'), history, '2025-12-15');
    expect(visits(plan)[0]).toEqual({ date: plusDays('2025-12-01', 28), doses: ['SIX-IN-1:2', 'MENB:2'] });
  });

  it('past the upper ages of PCV and MenB (2 years) and Hib (10 years) those are not planned', () => {
    const plan = catchUpPlan(rules, person('2014-01-01'), [], '2026-02-01');
    const planned = plan.visits.flatMap((v) => v.doses.map((d) => d.seriesId));
    for (const id of ['PCV', 'MENB', 'ROTAVIRUS', 'HIB-AFTER-1', 'SIX-IN-1']) expect(planned).not.toContain(id);
    // From 10 years the diphtheria, tetanus and polio course is Td/IPV, three doses a month apart.
    expect(planned.filter((id) => id === 'TD-IPV')).toHaveLength(3);
    expect(planned).toContain('MMR');
    everyVisitFourWeeksApart(plan);
  });

  it('visits are always at least four weeks apart, even when a course would allow less', () => {
    const plan = catchUpPlan(rules, person('2021-06-01'), [], '2026-02-01');
    expect(plan.visits.length).toBeGreaterThan(2);
    everyVisitFourWeeksApart(plan);
  });

  it('two doses of MMR already given abroad leave nothing of MMR to plan', () => {
    const plan = catchUpPlan(rules, person('2016-01-20'), [given('2017-02-01', MMR), given('2018-02-01', MMR)], '2026-03-01');
    expect(plan.visits.flatMap((v) => v.doses.map((d) => d.seriesId))).not.toContain('MMR');
  });
});

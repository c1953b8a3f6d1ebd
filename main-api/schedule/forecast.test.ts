import { describe, expect, it } from 'vitest';
import { forecast } from './forecast';
import { DTAP_IPV, MMR, MMRV, SIX, given, person, rules, series } from './schedule.fixtures';

const ids = (s: { dosesCounted: { doseNumber: number }[] }) => s.dosesCounted.map((d) => d.doseNumber);

describe('date-of-birth cohort boundaries', () => {
  it('30 June 2024 keeps Hib/MenC at 1 year and MMR dose 2 at 3y4m; 1 July 2024 gets the 18-month visit', () => {
    const older = person('2024-06-30');
    const newer = person('2024-07-01');
    expect(series(older, [], '2025-06-30', 'HIB-AFTER-1').status).toBe('DUE');
    // The 18-month 6-in-1 is their Hib dose after the first birthday: one need, one series.
    expect(series(newer, [], '2025-07-01', 'HIB-AFTER-1').status).toBe('NOT_ELIGIBLE');
    const mmrOld = series(older, [given('2025-06-30', MMR)], '2026-01-01', 'MMR');
    const mmrNew = series(newer, [given('2025-07-01', MMR)], '2026-01-01', 'MMR');
    expect([mmrOld.dueDate, mmrNew.dueDate]).toEqual(['2027-10-30', '2026-01-01']);
    const sixOld = series(older, [given('2024-08-25', SIX), given('2024-09-22', SIX), given('2024-10-20', SIX)], '2026-01-01', 'SIX-IN-1');
    const sixNew = series(newer, [given('2024-08-26', SIX), given('2024-09-23', SIX), given('2024-10-21', SIX)], '2026-01-01', 'SIX-IN-1');
    expect(sixOld.status).toBe('COMPLETE');
    expect([sixNew.status, sixNew.nextDose, sixNew.dueDate]).toEqual(['DUE', 4, '2026-01-01']);
  });

  it('31 December 2024 has MMR at 1 year and MMRV at 18 months; 1 January 2025 has MMRV at 12 and 18 months', () => {
    const a = forecast(rules, person('2024-12-31'), [], '2025-12-31');
    const b = forecast(rules, person('2025-01-01'), [], '2026-01-01');
    const get = (f: typeof a, id: string) => f.series.find((s) => s.seriesId === id)!;
    expect(get(a, 'MMR').nextProduct).toBe('MMR');
    expect(get(b, 'MMR').nextProduct).toBe('MMRV');
    expect(get(a, 'VARICELLA').dueDate).toBe('2026-06-30'); // 18 months
    expect(get(b, 'VARICELLA').dueDate).toBe('2026-01-01'); // 12 months
    expect(get(b, 'MMR').explanation[0]).toContain('Born on or after 1 January 2025');
    expect(get(b, 'MMR').explanation[0]).toContain('rule MMRV-2026 v2025-26');
    // The Jul-Dec 2024 band: varicella dose 2 at 3 years 4 months.
    const v = series(person('2024-12-31'), [given('2026-06-30', MMRV)], '2026-07-01', 'VARICELLA');
    expect([v.nextDose, v.dueDate]).toEqual([2, '2028-04-30']);
  });

  it('31 August 2022 waits for the selective catch-up; 1 September 2022 has MMRV at 3y4m', () => {
    const a = series(person('2022-08-31'), [], '2026-03-01', 'VARICELLA');
    const b = series(person('2022-09-01'), [], '2026-01-01', 'VARICELLA');
    expect([a.status, a.dueFrom, a.latestDate]).toEqual(['UPCOMING', '2026-11-01', '2028-03-31']);
    expect([b.status, b.dueDate]).toEqual(['DUE', '2026-01-01']);
    expect(series(person('2022-08-31'), [], '2028-04-01', 'VARICELLA').status).toBe('TOO_LATE');
    expect(series(person('2019-12-31'), [], '2026-12-01', 'VARICELLA').status).toBe('NOT_ELIGIBLE');
  });
});

describe('leap-day births (29 February 2024)', () => {
  const p = person('2024-02-29');
  it('reaches 12 months on 28 February 2025 and 3y4m on 29 June 2027', () => {
    expect(series(p, [], '2025-02-28', 'MMR').status).toBe('DUE');
    expect(series(p, [], '2025-02-27', 'MMR').status).toBe('UPCOMING');
    expect(series(p, [], '2025-02-28', 'HIB-AFTER-1').dueDate).toBe('2025-02-28');
    const pre = series(p, [given('2024-04-25', SIX), given('2024-05-23', SIX), given('2024-06-20', SIX)], '2027-06-29', 'PRESCHOOL');
    expect([pre.status, pre.dueDate]).toEqual(['DUE', '2027-06-29']);
  });
  it('an MMR dose on 27 February 2025 does not count; one on 28 February 2025 does', () => {
    const early = series(p, [given('2025-02-27', MMR)], '2025-03-01', 'MMR');
    expect(ids(early)).toEqual([]);
    expect(early.dosesIgnored[0]?.reason).toMatch(/before the earliest age of 12 months for MMR\(V\) dose 1/);
    expect(ids(series(p, [given('2025-02-28', MMR)], '2025-03-01', 'MMR'))).toEqual([1]);
  });
});

describe('doses too close together', () => {
  it('ignores a second 6-in-1 20 days after the first, explains why, and dates the real dose 2', () => {
    const events = [given('2025-11-05', SIX), given('2025-11-25', SIX)];
    const s = series(person('2025-09-10'), events, '2025-12-01', 'SIX-IN-1');
    expect(ids(s)).toEqual([1]);
    expect(s.dosesIgnored).toHaveLength(1);
    expect(s.dosesIgnored[0]?.reason).toContain('20 days after dose 1 on 5 November 2025');
    expect(s.dosesIgnored[0]?.reason).toContain('at least 4 weeks');
    expect([s.nextDose, s.dueFrom]).toEqual([2, '2025-12-03']);
  });
  it('MMR doses must be at least 4 weeks apart', () => {
    const s = series(person('2021-01-01'), [given('2023-01-10', MMRV), given('2023-01-29', MMRV)], '2023-02-01', 'MMR');
    expect(ids(s)).toEqual([1]);
    expect(s.dosesIgnored[0]?.reason).toContain('19 days after dose 1');
  });
  it('a pre-school booster less than a year after the last 6-in-1 does not count (check rule)', () => {
    const dob = person('2022-01-10');
    const events = [
      given('2022-03-07', SIX),
      given('2022-04-04', SIX),
      given('2022-05-02', SIX),
      given('2024-12-01', SIX),
      given('2025-05-10', DTAP_IPV),
    ];
    const s = series(dob, events, '2025-06-01', 'PRESCHOOL');
    expect(ids(s)).toEqual([]);
    expect(s.dosesIgnored[0]?.reason).toContain('less than 1 year after the last dose containing diphtheria');
    // The next booster is timed from the most recent DTaP/IPV-containing dose, even the one that
    // did not count, so doses never end up closer than the rule allows.
    expect(s.dueFrom).toBe('2026-05-10');
  });
});

describe('rotavirus is never given late', () => {
  const p = person('2025-09-10'); // 15 weeks = 24 December 2025, 24 weeks = 25 February 2026
  it('dose 1 is OVERDUE on the last day before 15 weeks and TOO_LATE from 15 weeks', () => {
    expect(series(p, [], '2025-12-23', 'ROTAVIRUS').status).toBe('OVERDUE');
    expect(series(p, [], '2025-12-24', 'ROTAVIRUS').status).toBe('TOO_LATE');
    const late = series(p, [], '2025-12-25', 'ROTAVIRUS'); // 15 weeks + 1 day
    expect(late.status).toBe('TOO_LATE');
    expect(late.explanation.join('\n')).toContain('never given late');
  });
  it('dose 2 is TOO_LATE from 24 weeks', () => {
    const events = [given('2025-11-05', ['ROTAVIRUS'])];
    expect(series(p, events, '2026-02-24', 'ROTAVIRUS').status).toBe('OVERDUE');
    expect(series(p, events, '2026-02-25', 'ROTAVIRUS').status).toBe('TOO_LATE');
  });
  it('dose 2 is TOO_LATE when dose 1 came so late that 4 weeks later is past 24 weeks', () => {
    const s = series(p, [given('2026-02-10', ['ROTAVIRUS'])], '2026-02-12', 'ROTAVIRUS');
    expect(s.status).toBe('TOO_LATE');
  });
  it('a dose 1 given at 5 weeks is ignored with the reason in plain English', () => {
    const s = series(p, [given('2025-10-15', ['ROTAVIRUS'])], '2025-10-20', 'ROTAVIRUS');
    expect(s.dosesIgnored[0]?.reason).toBe(
      'given at 5 weeks, before the earliest age of 6 weeks for Rotavirus dose 1, so it does not count (rule ROTA-1 v2025-26)',
    );
  });
});

describe('incomplete histories resume, never restart', () => {
  it('a mover-in with 6-in-1 at 3 and 5 months, seen at 10 months, needs dose 3 now', () => {
    const p = person('2025-01-10');
    const events = [given('2025-04-10', SIX), given('2025-06-10', SIX)];
    const s = series(p, events, '2025-11-10', 'SIX-IN-1');
    expect(ids(s)).toEqual([1, 2]);
    expect(s.nextDose).toBe(3);
    expect(s.dueFrom).toBe('2025-07-08');
    expect(s.status).toBe('OVERDUE');
    expect(s.explanation.join('\n')).toContain('never restarted');
    // Rotavirus cannot be caught up at 10 months.
    expect(series(p, events, '2025-11-10', 'ROTAVIRUS').status).toBe('TOO_LATE');
  });
  it('a PCV priming dose not given by the first birthday is no longer needed', () => {
    const s = series(person('2025-01-10'), [], '2026-01-20', 'PCV');
    expect([s.nextDose, s.status]).toEqual([2, 'DUE']);
    expect(s.explanation.join('\n')).toContain('no longer needed');
    const after = series(person('2025-01-10'), [given('2026-01-20', ['PCV'])], '2026-02-01', 'PCV');
    expect([ids(after), after.status]).toEqual([[2], 'COMPLETE']);
  });
});

describe('every child needs a Hib-containing dose after the first birthday', () => {
  const p = person('2023-05-01');
  const infant = [given('2023-06-26', SIX), given('2023-07-24', SIX), given('2023-08-21', SIX)];
  it('is OVERDUE when only infant doses were given', () => {
    const s = series(p, infant, '2025-01-01', 'HIB-AFTER-1');
    expect(s.status).toBe('OVERDUE');
    expect(s.kind).toBe('requirement');
  });
  it('is met by a 6-in-1 after the first birthday, and no retired Hib/MenC row stays overdue', () => {
    const events = [...infant, given('2024-08-01', SIX)];
    const f = forecast(rules, p, events, '2025-01-01');
    expect(f.series.find((s) => s.seriesId === 'HIB-AFTER-1')?.status).toBe('COMPLETE');
    expect(f.series.filter((s) => s.dosesCounted.some((d) => d.date === '2024-08-01')).map((s) => s.seriesId)).toEqual(['HIB-AFTER-1']);
    expect(f.series.some((s) => s.seriesName.includes('Hib/MenC'))).toBe(false);
  });
  it('names Hib/MenC until 30 June 2025 and the 6-in-1 given in its place from 1 July 2025', () => {
    expect(series(p, infant, '2025-06-30', 'HIB-AFTER-1').nextProduct).toBe('Hib/MenC');
    const july = series(p, infant, '2025-07-01', 'HIB-AFTER-1');
    expect(july.nextProduct).toMatch(/^6-in-1/);
    expect(july.status).toBe('OVERDUE');
    expect(july.explanation.join('\n')).toContain('rule HIB-1Y-2025');
  });
  it('is met by a Hib/MenC dose given before it was retired', () => {
    expect(series(p, [...infant, given('2024-05-01', ['HIB', 'MENC'])], '2025-08-01', 'HIB-AFTER-1').status).toBe('COMPLETE');
  });
  it('is met by a late primary dose given after the first birthday (mover-in)', () => {
    const events = [given('2023-06-26', SIX), given('2023-07-24', SIX), given('2024-06-01', SIX)];
    expect(series(p, events, '2024-07-01', 'HIB-AFTER-1').status).toBe('COMPLETE');
    expect(ids(series(p, events, '2024-07-01', 'SIX-IN-1'))).toEqual([1, 2, 3]);
  });
  it('is not met by a dose the day before the first birthday', () => {
    expect(series(p, [given('2024-04-30', SIX)], '2024-06-01', 'HIB-AFTER-1').status).toBe('DUE');
  });
});

describe('declines, contraindications, deaths and special groups', () => {
  it('a decline after the last dose makes the series DECLINED until a dose is given', () => {
    const p = person('2024-02-01');
    const declined = { id: 'n1', date: '2025-02-10', antigens: MMR, outcome: 'NOT_GIVEN' as const, reason: 'DECLINED' as const };
    expect(series(p, [declined], '2025-03-01', 'MMR').status).toBe('DECLINED');
    expect(series(p, [declined, given('2025-04-01', MMR)], '2025-05-01', 'MMR').status).toBe('UPCOMING');
    const unwell = { ...declined, reason: 'UNWELL' as const };
    expect(series(p, [unwell], '2025-03-01', 'MMR').status).toBe('DUE');
  });
  it('a contraindication is reported as such', () => {
    const ev = { date: '2025-11-05', antigens: ['ROTAVIRUS'], outcome: 'NOT_GIVEN' as const, reason: 'CONTRAINDICATED' as const };
    expect(series(person('2025-09-10'), [ev], '2025-11-06', 'ROTAVIRUS').status).toBe('CONTRAINDICATED');
  });
  it('nothing is due after death', () => {
    const f = forecast(rules, person('2025-01-01', { dateOfDeath: '2025-06-01' }), [], '2025-07-01');
    expect(f.series.every((s) => s.status === 'NOT_ELIGIBLE')).toBe(true);
    expect(f.campaigns.every((c) => !c.eligible)).toBe(true);
  });
  it('babies of hepatitis B positive mothers get the neonatal series; others do not', () => {
    const flagged = person('2025-09-10', { flags: [{ code: 'HBSAG_POSITIVE_MOTHER', from: '2025-09-10', to: null }] });
    expect(series(flagged, [], '2025-09-10', 'HEPB-NEONATAL').status).toBe('DUE');
    expect(series(person('2025-09-10'), [], '2025-09-10', 'HEPB-NEONATAL').status).toBe('NOT_ELIGIBLE');
    // A 6-in-1 dose does not count as a monovalent neonatal dose.
    const s = series(flagged, [given('2025-09-10', ['HEPB']), given('2025-11-05', SIX)], '2025-11-06', 'HEPB-NEONATAL');
    expect(ids(s)).toEqual([1]);
  });
  it('immunosuppressed people get the 8-week shingles schedule instead of the routine one', () => {
    const p = person('1958-01-01', { flags: [{ code: 'IMMUNOSUPPRESSION', from: '2024-01-01', to: null }] });
    expect(series(p, [], '2028-06-01', 'SHINGLES').status).toBe('NOT_ELIGIBLE');
    expect(series(p, [], '2028-06-01', 'SHINGLES-IMMUNO').status).toBe('OVERDUE');
  });
  it('RSV: aged 80 and over becomes eligible from 1 April 2026 (check rule)', () => {
    const p = person('1940-05-01');
    expect(series(p, [], '2026-03-31', 'RSV-OLDER').status).toBe('UPCOMING');
    expect(series(p, [], '2026-04-01', 'RSV-OLDER').status).toBe('DUE');
  });
  it('a course counted by the 6-in-1 series is not also counted as the pre-school booster', () => {
    const p = person('2022-01-10');
    const events = [given('2022-03-07', SIX), given('2022-04-04', SIX), given('2025-02-15', SIX)];
    expect(ids(series(p, events, '2025-03-01', 'SIX-IN-1'))).toEqual([1, 2, 3]);
    const pre = series(p, events, '2025-03-01', 'PRESCHOOL');
    expect(ids(pre)).toEqual([]);
    expect(pre.dosesIgnored[0]?.reason).toContain('already counted for another series');
  });
  // A pregnancy flag left open when the next pregnancy was recorded: the weeks count from the
  // pregnancy that began most recently, whichever way round the two were recorded.
  describe('overlapping pregnancy flags', () => {
    const earlier = { code: 'PREGNANT', from: '2023-02-01', to: null };
    const current = { code: 'PREGNANT', from: '2025-07-01', to: '2026-03-01' };
    it('times the vaccine from the pregnancy that began last', () => {
      for (const flags of [
        [earlier, current],
        [current, earlier],
      ]) {
        const s = series(person('1995-05-05', { flags }), [], '2025-10-12', 'PERTUSSIS-PREGNANCY');
        expect(s.status).toBe('DUE');
        expect(s.dueDate).toBe('2025-10-12');
      }
    });
    it('asks for the weeks to be confirmed when the newer pregnancy has no expected delivery date', () => {
      const older = { code: 'PREGNANT', from: '2024-01-01', to: '2024-10-01' };
      const newer = { code: 'PREGNANT', from: '2024-09-01', to: null };
      expect(series(person('1995-05-05', { flags: [older, newer] }), [], '2024-09-20', 'PERTUSSIS-PREGNANCY').status).toBe(
        'NEEDS_ASSESSMENT',
      );
    });
  });
});

// Every routine row: the earliest valid day, the due day and the overdue day, written out by hand
// from the published schedule (not derived from the rule files), then checked against the engine.
import { describe, expect, it } from 'vitest';
import { DTAP_IPV, MMR, MMRV, SIX, given, person, plusDays, series } from './schedule.fixtures';
import type { EventInput, PersonInput } from './types';

interface Row {
  name: string;
  p: PersonInput;
  seriesId: string;
  prior: EventInput[];
  antigens: string[];
  dose: number;
  earliest: string;
  due: string;
  overdue: string;
  latest?: string | null;
  /** First day a dose counts, when it differs from the first day it is offered. */
  validFrom?: string;
  /** Doses before this series' starting age belong to another series and are not listed here. */
  silent?: boolean;
}

// Born 10 September 2025: 6w = 22 Oct, 8w = 5 Nov, 12w = 3 Dec, 16w = 31 December 2025, 12m = 10 September 2026, 18m = 10 March 2027.
const NEW = person('2025-09-10');
// Born 15 March 2024 (before 1 July 2024): old 1-year and 3y4m schedule.
const OLD = person('2024-03-15');
const HEPB_FLAG = { code: 'HBSAG_POSITIVE_MOTHER', from: '2025-09-10', to: null };
const HEPB_FLAG_OLD = { code: 'HBSAG_POSITIVE_MOTHER', from: '2024-03-15', to: null };
const FIVE = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB'];
const SIX3 = () => [given('2025-11-05', SIX), given('2025-12-03', SIX), given('2025-12-31', SIX)];

const rows: Row[] = [
  {
    name: 'selective hep B dose 1 at birth',
    p: person('2025-09-10', { flags: [HEPB_FLAG] }),
    seriesId: 'HEPB-NEONATAL',
    prior: [],
    antigens: ['HEPB'],
    dose: 1,
    earliest: '2025-09-10',
    due: '2025-09-10',
    overdue: '2025-09-11',
  },
  {
    name: 'selective hep B dose 2 at 4 weeks',
    p: person('2025-09-10', { flags: [HEPB_FLAG] }),
    seriesId: 'HEPB-NEONATAL',
    prior: [given('2025-09-10', ['HEPB'])],
    antigens: ['HEPB'],
    dose: 2,
    earliest: '2025-10-08',
    due: '2025-10-08',
    overdue: '2025-10-22',
  },
  {
    name: 'selective hep B dose 3 at 12 months (born before 1 July 2024)',
    p: person('2024-03-15', { flags: [HEPB_FLAG_OLD] }),
    seriesId: 'HEPB-NEONATAL',
    prior: [given('2024-03-15', ['HEPB']), given('2024-04-12', ['HEPB'])],
    antigens: ['HEPB'],
    dose: 3,
    earliest: '2025-03-15',
    due: '2025-03-15',
    overdue: '2025-04-12',
  },
  {
    name: '6-in-1 dose 1 at 8 weeks',
    p: NEW,
    seriesId: 'SIX-IN-1',
    prior: [],
    antigens: SIX,
    dose: 1,
    earliest: '2025-10-22',
    due: '2025-11-05',
    overdue: '2025-12-03',
    latest: '2035-09-09',
  },
  {
    name: '6-in-1 dose 2 at 12 weeks',
    p: NEW,
    seriesId: 'SIX-IN-1',
    prior: [given('2025-11-05', SIX)],
    antigens: SIX,
    dose: 2,
    earliest: '2025-12-03',
    due: '2025-12-03',
    overdue: '2025-12-31',
  },
  {
    name: '6-in-1 dose 3 at 16 weeks',
    p: NEW,
    seriesId: 'SIX-IN-1',
    prior: [given('2025-11-05', SIX), given('2025-12-03', SIX)],
    antigens: SIX,
    dose: 3,
    earliest: '2025-12-31',
    due: '2025-12-31',
    overdue: '2026-01-28',
  },
  {
    name: '6-in-1 dose 4 at 18 months',
    p: NEW,
    seriesId: 'SIX-IN-1',
    prior: SIX3(),
    antigens: SIX,
    dose: 4,
    earliest: '2026-09-10',
    due: '2027-03-10',
    overdue: '2027-06-10',
  },
  {
    name: 'rotavirus dose 1 at 8 weeks',
    p: NEW,
    seriesId: 'ROTAVIRUS',
    prior: [],
    antigens: ['ROTAVIRUS'],
    dose: 1,
    earliest: '2025-10-22',
    due: '2025-11-05',
    overdue: '2025-12-03',
    latest: '2025-12-23',
  },
  {
    name: 'rotavirus dose 2 at 12 weeks',
    p: NEW,
    seriesId: 'ROTAVIRUS',
    prior: [given('2025-11-05', ['ROTAVIRUS'])],
    antigens: ['ROTAVIRUS'],
    dose: 2,
    earliest: '2025-12-03',
    due: '2025-12-03',
    overdue: '2025-12-31',
    latest: '2026-02-24',
  },
  {
    name: 'MenB dose 1 at 8 weeks',
    p: NEW,
    seriesId: 'MENB',
    prior: [],
    antigens: ['MENB'],
    dose: 1,
    earliest: '2025-10-22',
    due: '2025-11-05',
    overdue: '2025-12-03',
  },
  {
    name: 'MenB dose 2 at 12 weeks (from 1 July 2025)',
    p: NEW,
    seriesId: 'MENB',
    prior: [given('2025-11-05', ['MENB'])],
    antigens: ['MENB'],
    dose: 2,
    earliest: '2025-12-03',
    due: '2025-12-03',
    overdue: '2025-12-31',
  },
  {
    name: 'MenB booster at 1 year',
    p: NEW,
    seriesId: 'MENB',
    prior: [given('2025-11-05', ['MENB']), given('2025-12-03', ['MENB'])],
    antigens: ['MENB'],
    dose: 3,
    earliest: '2026-09-10',
    due: '2026-09-10',
    overdue: '2026-12-10',
    latest: '2027-09-09',
  },
  {
    name: 'PCV single priming dose at 16 weeks',
    p: NEW,
    seriesId: 'PCV',
    prior: [],
    antigens: ['PCV'],
    dose: 1,
    earliest: '2025-10-22',
    due: '2025-12-31',
    overdue: '2026-01-28',
  },
  {
    name: 'PCV booster at 1 year',
    p: NEW,
    seriesId: 'PCV',
    prior: [given('2025-12-31', ['PCV'])],
    antigens: ['PCV'],
    dose: 2,
    earliest: '2026-09-10',
    due: '2026-09-10',
    overdue: '2026-12-10',
    latest: '2027-09-09',
  },
  // One MMRV dose at 12 months is dose 1 of both MMR(V) and varicella, with the same dates.
  ...(['MMR', 'VARICELLA'] as const).map((seriesId) => ({
    name: `${seriesId === 'MMR' ? 'MMRV' : 'varicella'} dose 1 at 12 months`,
    p: NEW,
    seriesId,
    prior: [],
    antigens: MMRV,
    dose: 1,
    earliest: '2026-09-10',
    due: '2026-09-10',
    overdue: '2026-12-10',
    latest: null,
  })),
  {
    name: 'MMRV dose 2 at 18 months',
    p: NEW,
    seriesId: 'MMR',
    prior: [given('2026-09-10', MMRV)],
    antigens: MMRV,
    dose: 2,
    // A second dose before 18 months does not count (Green Book chapter 21).
    earliest: '2027-03-10',
    due: '2027-03-10',
    overdue: '2027-06-10',
  },
  {
    name: 'varicella dose 2 at 18 months',
    p: NEW,
    seriesId: 'VARICELLA',
    prior: [given('2026-09-10', MMRV)],
    antigens: MMRV,
    dose: 2,
    earliest: '2026-10-08',
    due: '2027-03-10',
    overdue: '2027-06-10',
  },
  {
    name: 'pre-school booster at 3y4m',
    p: NEW,
    seriesId: 'PRESCHOOL',
    silent: true,
    prior: [...SIX3(), given('2027-03-10', SIX)],
    antigens: DTAP_IPV,
    dose: 1,
    earliest: '2028-09-10',
    due: '2029-01-10',
    overdue: '2029-04-10',
    latest: '2035-09-09',
  },
  {
    name: 'Hib/MenC at 1 year (born before 1 July 2024)',
    p: OLD,
    seriesId: 'HIB-AFTER-1',
    silent: true,
    prior: [],
    antigens: ['HIB', 'MENC'],
    dose: 1,
    earliest: '2025-03-15',
    due: '2025-03-15',
    overdue: '2025-06-15',
  },
  {
    name: 'MMR dose 1 at 1 year (older cohort)',
    p: OLD,
    seriesId: 'MMR',
    prior: [],
    antigens: MMR,
    dose: 1,
    earliest: '2025-03-15',
    due: '2025-03-15',
    overdue: '2025-06-15',
  },
  {
    name: 'MMR(V) dose 2 at 3y4m (older cohort)',
    p: OLD,
    seriesId: 'MMR',
    prior: [given('2025-03-15', MMR)],
    antigens: MMRV,
    dose: 2,
    earliest: '2025-09-15',
    due: '2027-07-15',
    overdue: '2027-10-15',
  },
  {
    name: 'PCV priming moves to 16 weeks when 12 weeks falls after 30 June 2025',
    p: person('2025-04-20'),
    seriesId: 'PCV',
    prior: [],
    antigens: ['PCV'],
    dose: 1,
    earliest: '2025-06-01',
    due: '2025-08-10',
    overdue: '2025-09-07',
  },
  {
    name: 'HPV in school Year 8',
    p: person('2013-02-14'),
    seriesId: 'HPV',
    prior: [],
    antigens: ['HPV'],
    dose: 1,
    earliest: '2022-02-14',
    due: '2025-09-01',
    overdue: '2026-09-01',
    latest: '2038-02-13',
  },
  {
    name: 'Td/IPV in school Year 9 (the fifth diphtheria, tetanus and polio dose)',
    p: person('2011-11-20'),
    seriesId: 'TD-IPV',
    silent: true,
    prior: [given('2012-01-15', FIVE), given('2012-02-12', FIVE), given('2012-03-11', FIVE), given('2015-03-20', DTAP_IPV)],
    antigens: ['DIPHTHERIA', 'TETANUS', 'POLIO'],
    dose: 5,
    earliest: '2021-11-20',
    due: '2025-09-01',
    overdue: '2026-09-01',
  },
  {
    name: 'MenACWY in school Year 9',
    p: person('2011-11-20'),
    seriesId: 'MENACWY',
    silent: true,
    prior: [],
    antigens: ['MENACWY'],
    dose: 1,
    earliest: '2021-11-20',
    due: '2025-09-01',
    overdue: '2026-09-01',
    latest: '2036-11-19',
  },
  {
    name: 'PPV23 at 65',
    p: person('1961-03-05'),
    seriesId: 'PPV23',
    prior: [],
    antigens: ['PPV23'],
    dose: 1,
    earliest: '2026-03-05',
    due: '2026-03-05',
    overdue: '2026-09-05',
  },
  {
    name: 'shingles dose 1 turning 65',
    p: person('1961-03-05'),
    seriesId: 'SHINGLES',
    prior: [],
    antigens: ['SHINGLES'],
    dose: 1,
    earliest: '2026-03-05',
    due: '2026-03-05',
    overdue: '2027-03-05',
    latest: '2041-03-04',
  },
  {
    name: 'shingles dose 2 six months later',
    p: person('1961-03-05'),
    seriesId: 'SHINGLES',
    prior: [given('2026-03-05', ['SHINGLES'])],
    antigens: ['SHINGLES'],
    dose: 2,
    earliest: '2026-09-05',
    due: '2026-09-05',
    overdue: '2027-03-05',
  },
  {
    name: 'shingles at 70 (born before 1 September 1958)',
    p: person('1955-06-01'),
    seriesId: 'SHINGLES',
    prior: [],
    antigens: ['SHINGLES'],
    dose: 1,
    earliest: '2025-06-01',
    due: '2025-06-01',
    overdue: '2026-06-01',
    latest: '2035-05-31',
  },
  {
    name: 'shingles, immunosuppressed: dose 2 from 8 weeks',
    p: person('1970-01-01', { flags: [{ code: 'IMMUNOSUPPRESSION', from: '2020-01-01', to: null }] }),
    seriesId: 'SHINGLES-IMMUNO',
    prior: [given('2025-10-01', ['SHINGLES'])],
    antigens: ['SHINGLES'],
    dose: 2,
    earliest: '2025-11-26',
    due: '2025-11-26',
    overdue: '2026-04-01',
  },
  {
    name: 'RSV turning 75',
    p: person('1950-11-10'),
    seriesId: 'RSV-OLDER',
    prior: [],
    antigens: ['RSV'],
    dose: 1,
    earliest: '2025-11-10',
    due: '2025-11-10',
    overdue: '2026-02-10',
  },
];

describe.each(rows)('$name', (r) => {
  const check = (asOf: string) => series(r.p, r.prior, asOf, r.seriesId);

  it('is DUE at exactly the due date, with the expected dates', () => {
    const s = check(r.due);
    expect(s.status).toBe('DUE');
    expect(s.nextDose).toBe(r.dose);
    expect(s.dueFrom).toBe(r.earliest);
    expect(s.dueDate).toBe(r.due);
    expect(s.overdueFrom).toBe(r.overdue);
    if (r.latest !== undefined) expect(s.latestDate).toBe(r.latest);
  });

  it('is UPCOMING the day before the earliest date', () => {
    const before = plusDays(r.earliest, -1);
    // Before birth there is nothing to forecast (and a birth dose cannot be upcoming).
    if (before < r.p.dateOfBirth) return;
    expect(check(before).status).toBe('UPCOMING');
  });

  it('is DUE the day before overdue and OVERDUE from the overdue date', () => {
    if (plusDays(r.overdue, -1) >= r.due) expect(check(plusDays(r.overdue, -1)).status).toBe('DUE');
    expect(check(r.overdue).status).toBe('OVERDUE');
  });

  it('ignores a dose one day before the earliest date and counts one on it', () => {
    const valid = r.validFrom ?? r.earliest;
    const dayBefore = plusDays(valid, -1);
    if (dayBefore < r.p.dateOfBirth) return;
    const early = series(r.p, [...r.prior, given(dayBefore, r.antigens)], r.due, r.seriesId);
    expect(early.dosesCounted.map((d) => d.doseNumber)).not.toContain(r.dose);
    if (!r.silent) expect(early.dosesIgnored.some((d) => d.date === dayBefore)).toBe(true);
    const onTime = series(r.p, [...r.prior, given(valid, r.antigens)], r.due, r.seriesId);
    expect(onTime.dosesCounted.map((d) => d.doseNumber)).toContain(r.dose);
  });
});

describe('schedule changes apply by appointment date', () => {
  it('PCV for a baby due at 12 weeks before 1 July 2025 moves to 16 weeks if not given by 30 Jun', () => {
    const p = person('2025-04-01'); // 12 weeks = 24 June 2025, 16 weeks = 22 July 2025
    const june = series(p, [], '2025-06-24', 'PCV');
    expect([june.status, june.dueDate]).toEqual(['DUE', '2025-06-24']);
    const july = series(p, [], '2025-07-01', 'PCV');
    expect([july.status, july.dueDate, july.overdueFrom]).toEqual(['UPCOMING', '2025-07-22', '2025-08-19']);
    expect(july.explanation.join('\n')).toContain('rule PCV-16W-2025 v2025-26');
  });
  it('a PCV dose given at 12 weeks in June 2025 still counts, and the booster follows at 1 year', () => {
    const s = series(person('2025-04-01'), [given('2025-06-24', ['PCV'])], '2026-04-01', 'PCV');
    expect(s.dosesCounted.map((d) => d.doseNumber)).toEqual([1]);
    expect([s.nextDose, s.status, s.dueDate]).toEqual([2, 'DUE', '2026-04-01']);
  });
  it('MenB dose 2 moved from 16 to 12 weeks on 1 July 2025', () => {
    const before = series(person('2025-03-01'), [given('2025-04-26', ['MENB'])], '2025-05-24', 'MENB');
    expect(before.dueDate).toBe('2025-06-21'); // 16 weeks, at least 8 weeks after dose 1
    const after = series(person('2025-06-01'), [given('2025-07-27', ['MENB'])], '2025-08-24', 'MENB');
    expect([after.status, after.dueDate]).toEqual(['DUE', '2025-08-24']); // 12 weeks
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CoverReturn } from '../contract/reporting';
import { describeQuarter, endedQuarters, quarterDays, quarterOf } from '../shared/calendar/quarters';
import { coverCsv } from './cover-export.rules';
import { ageInMonths, measureApplies, parseCoverMeasures } from './cover-measures.rules';

const SHIPPED = join(__dirname, '../../resources/coverage/cover-measures.json');

describe('COVER quarters', () => {
  it('reads calendar quarters and lists the ones that have ended', () => {
    expect(quarterDays('2026-Q3')).toEqual({ from: '2026-07-01', to: '2026-09-30' });
    expect(quarterDays('2024-Q1')).toEqual({ from: '2024-01-01', to: '2024-03-31' });
    expect(quarterDays('2026-Q5')).toBeNull();
    expect(quarterOf('2026-12-03')).toBe('2026-Q4');
    expect(endedQuarters('2026-12-03', 3)).toEqual(['2026-Q3', '2026-Q2', '2026-Q1']);
    expect(describeQuarter('2026-Q3')).toBe('2026-Q3 (1 July 2026 to 30 September 2026)');
  });
});

describe('COVER measures file', () => {
  it('accepts the shipped file', () => {
    const r = parseCoverMeasures(readFileSync(SHIPPED, 'utf8'));
    expect(r.ok).toBe(true);
  });

  it('names each mistake with its field', () => {
    const file = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { measures: Record<string, unknown>[] };
    file.measures[0]!.antigens = ['MEASELS'];
    file.measures[1]!.fromAge = '5y';
    file.measures[2]!.byAge = '18m';
    const r = parseCoverMeasures(JSON.stringify(file));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.some((e) => e.startsWith('measures.0.antigens.0:'))).toBe(true);
      expect(r.errors).toContain('measures.1.fromAge: fromAge must be younger than byAge');
      expect(r.errors.some((e) => e.startsWith('measures.2.byAge:'))).toBe(true);
    }
    const twice = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { measures: unknown[] };
    twice.measures.push(twice.measures[3]);
    expect(parseCoverMeasures(JSON.stringify(twice))).toEqual({ ok: false, errors: ['measures: each measure id once'] });
    expect(parseCoverMeasures('{').ok).toBe(false);
  });

  it('applies a measure to a quarter when its birth cohorts reach the age in it', () => {
    expect(ageInMonths('5y')).toBe(60);
    const hibMenC = { byAgeMonths: 24, bornFrom: null, bornTo: '2024-06-30' };
    const eighteenMonths = { byAgeMonths: 24, bornFrom: '2024-07-01', bornTo: null };
    expect(measureApplies(hibMenC, '2026-04-01', '2026-06-30')).toBe(true);
    expect(measureApplies(hibMenC, '2026-07-01', '2026-09-30')).toBe(false);
    expect(measureApplies(eighteenMonths, '2026-04-01', '2026-06-30')).toBe(false);
    expect(measureApplies(eighteenMonths, '2026-07-01', '2026-09-30')).toBe(true);
  });
});

describe('COVER CSV', () => {
  const ret: CoverReturn = {
    quarter: '2026-Q3',
    from: '2026-07-01',
    to: '2026-09-30',
    by: 'practice',
    complete: true,
    exact: false,
    target: 95,
    measures: [
      { id: '5Y_MMR2', label: 'MMR', antigens: ['MEASLES'], doses: 2, fromAgeMonths: 12, byAgeMonths: 60, bornFrom: null, bornTo: null },
    ],
    areas: [
      {
        groupCode: 'G1',
        groupName: '=Smith, "The" Surgery',
        isTotal: false,
        figures: [{ measureId: '5Y_MMR2', denominator: 40, numerator: null, percent: null }],
      },
      {
        groupCode: null,
        groupName: 'All in your scope',
        isTotal: true,
        figures: [{ measureId: '5Y_MMR2', denominator: 0, numerator: 0, percent: null }],
      },
    ],
  };

  it('quotes names, defuses formulas, marks suppressed figures and leaves no percentage of nobody', () => {
    expect(coverCsv(ret).split('\r\n')).toEqual([
      'Quarter,Period start,Period end,Area type,Area code,Area name,5Y_MMR2 denominator,5Y_MMR2 numerator,5Y_MMR2 %',
      `2026-Q3,2026-07-01,2026-09-30,GP practice,G1,"'=Smith, ""The"" Surgery",40,*,*`,
      '2026-Q3,2026-07-01,2026-09-30,Total,,All in your scope,0,0,',
      '',
    ]);
  });
});

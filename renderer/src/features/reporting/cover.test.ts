import { describe, expect, it } from 'vitest';
import { belowTarget, countsText, coverCohorts, coverQuarterOptions, missingText, percentText } from './cover';

describe('the COVER screen', () => {
  it('offers the current quarter, marked as still filling, then the ones that have ended', () => {
    const options = coverQuarterOptions('2026-12-03');
    expect(options[0]).toEqual({ label: '2026-Q4 (1 October 2026 to 31 December 2026), so far', value: '2026-Q4' });
    expect(options[1]).toEqual({ label: '2026-Q3 (1 July 2026 to 30 September 2026)', value: '2026-Q3' });
    expect(options).toHaveLength(9);
  });

  it('splits the measures by cohort', () => {
    const m = (id: string, byAgeMonths: number) => ({
      id,
      label: id,
      antigens: [],
      doses: 1,
      fromAgeMonths: 0,
      byAgeMonths,
      bornFrom: null,
      bornTo: null,
    });
    expect(
      coverCohorts({ measures: [m('A', 12), m('B', 24), m('C', 12), m('D', 60)] }).map((c) => [c.title, c.measures.map((x) => x.id)]),
    ).toEqual([
      ['Immunised by 12 months', ['A', 'C']],
      ['Immunised by 24 months', ['B']],
      ['Immunised by 5 years', ['D']],
    ]);
  });

  it('reads figures, suppressed figures and measures that apply to nobody', () => {
    const f = { measureId: 'X', denominator: 40, numerator: 37, percent: 92.5 };
    expect([percentText(f), countsText(f), belowTarget(f, 95)]).toEqual(['92.5%', '37 of 40', true]);
    const hidden = { measureId: 'X', denominator: 40, numerator: null, percent: null };
    expect([percentText(hidden), countsText(hidden), belowTarget(hidden, 95)]).toEqual(['*', '* of 40', false]);
    const nobody = { measureId: 'X', denominator: 0, numerator: 0, percent: null };
    expect([percentText(nobody), countsText(nobody)]).toEqual(['–', '']);
    expect(missingText({ label: 'MMR (or MMRV), 2 doses', had: 1, needed: 2 })).toBe('MMR (or MMRV), 2 doses: had 1 of 2');
  });
});

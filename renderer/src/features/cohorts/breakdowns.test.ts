import { describe, expect, it } from 'vitest';
import { barPercents, breakdownCsv, csvFileName, orderBreakdowns } from './breakdowns';

describe('breakdowns', () => {
  it('keeps the vocabulary order, each once', () => {
    expect(orderBreakdowns(['lsoa', 'sex', 'localAuthority', 'sex'])).toEqual(['localAuthority', 'sex', 'lsoa']);
  });

  it('sizes bars against the largest row', () => {
    expect(
      barPercents([
        { code: 'a', label: 'A', count: 50 },
        { code: 'b', label: 'B', count: 200 },
      ]),
    ).toEqual([25, 100]);
    expect(barPercents([{ code: 'a', label: 'A', count: 0 }])).toEqual([0]);
    expect(barPercents([])).toEqual([]);
  });

  it('writes the LSOA breakdown as CSV that GIS tools and spreadsheets read safely', () => {
    const csv = breakdownCsv([
      { code: 'E01016012', label: 'Medway 001A', count: 12 },
      { code: null, label: 'No LSOA, "unknown"', count: 3 },
      { code: 'E01016013', label: '=HYPERLINK("x")', count: 1 },
    ]);
    expect(csv).toBe('code,label,count\r\nE01016012,Medway 001A,12\r\n,"No LSOA, ""unknown""",3\r\nE01016013,"\'=HYPERLINK(""x"")",1\r\n');
    expect(csvFileName('Flu 2026-27: 65+ & at risk', 'lsoa')).toBe('flu-2026-27-65-at-risk-lsoa.csv');
    expect(csvFileName('', 'lsoa')).toBe('cohort-lsoa.csv');
  });
});

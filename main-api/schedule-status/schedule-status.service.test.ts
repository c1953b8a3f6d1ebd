import { describe, expect, it } from 'vitest';
import { forecast } from '../schedule';
import { scheduleRules } from '../schedule/shipped-rules';
import { statusRows, UPCOMING_HORIZON_YEARS } from './schedule-status.service';

const rules = scheduleRules();
const SIX = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB', 'HEPB'];

describe('statusRows', () => {
  const f = forecast(
    rules,
    { dateOfBirth: '2025-03-01', flags: [] },
    [{ date: '2025-05-01', antigens: SIX, outcome: 'GIVEN' }],
    '2026-02-01',
    {
      explain: false,
    },
  );
  const rows = statusRows(rules, f);

  it('keeps the series that apply, with the forecast dates, and drops the ones that do not', () => {
    const six = f.series.find((s) => s.seriesId === 'SIX-IN-1')!;
    expect(rows.find((r) => r.seriesId === 'SIX-IN-1')).toEqual({
      seriesId: 'SIX-IN-1',
      kind: 'SERIES',
      name: six.seriesName,
      status: six.status,
      nextDose: six.nextDose,
      dueDate: six.dueDate,
      overdueFrom: six.overdueFrom,
      latestDate: six.latestDate,
      rulesVersion: `${six.scheduleId} v${six.scheduleVersion}`,
    });
    const notEligible = f.series.filter((s) => s.status === 'NOT_ELIGIBLE').map((s) => s.seriesId);
    expect(notEligible.length).toBeGreaterThan(0);
    for (const id of notEligible) expect(rows.some((r) => r.seriesId === id)).toBe(false);
    expect(new Set(rows.map((r) => r.seriesId)).size).toBe(rows.length);
  });

  it(`leaves out upcoming doses due more than ${UPCOMING_HORIZON_YEARS} years ahead`, () => {
    const far = f.series.filter((s) => s.status === 'UPCOMING' && s.dueDate !== null && s.dueDate > '2031-02-01');
    expect(far.map((s) => s.seriesId)).toContain('SHINGLES');
    for (const s of far) expect(rows.some((r) => r.seriesId === s.seriesId)).toBe(false);
    const near = f.series.filter((s) => s.status === 'UPCOMING' && s.dueDate !== null && s.dueDate <= '2031-02-01');
    expect(near.length).toBeGreaterThan(0);
    for (const s of near) expect(rows.some((r) => r.seriesId === s.seriesId)).toBe(true);
  });

  it('adds a campaign row, due when eligibility starts and ending with the campaign', () => {
    const child = forecast(rules, { dateOfBirth: '2022-06-01', flags: [] }, [], '2025-10-15', { explain: false });
    const eligible = child.campaigns.filter((c) => c.status !== 'NOT_ELIGIBLE');
    expect(eligible.length).toBeGreaterThan(0);
    const campaignRows = statusRows(rules, child).filter((r) => r.kind === 'CAMPAIGN');
    expect(campaignRows.map((r) => r.seriesId)).toEqual(eligible.map((c) => c.campaignId));
    for (const r of campaignRows) expect(r.latestDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

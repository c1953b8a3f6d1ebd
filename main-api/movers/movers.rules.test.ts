// The plan and the transfer summary's rows as the screen and the documents get them.
import { describe, expect, it } from 'vitest';
import { catchUpPlan } from '../schedule';
import { given, person, rules, SIX } from '../schedule/schedule.fixtures';
import { countryName, countryOptions } from '../shared/vocabulary/countries';
import { statusRows, toArrival, toPlanView } from './movers.rules';
import type { ForecastRow } from '../contract/forecast';

describe('catch-up plan view', () => {
  it('names on each dose the courses it also covers, and keeps the engine reasons', () => {
    const plan = catchUpPlan(
      rules,
      person('2023-01-10'),
      [given('2023-04-10', ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB'])],
      '2026-02-10',
    );
    const view = toPlanView(7, plan, null);
    const six = view.visits[0]?.doses.find((d) => d.seriesId === 'SIX-IN-1');
    expect(six?.alsoCountsFor).toEqual(['Hib booster after the first birthday']);
    expect(six?.why[0]).toMatch(/^Next: dose 2 \(6-in-1\)/);
    expect(view.credited).toEqual([expect.objectContaining({ date: '2023-04-10', seriesId: 'SIX-IN-1' })]);
    expect(view.notPlanned.map((n) => n.seriesId)).toEqual(expect.arrayContaining(['ROTAVIRUS', 'MENB', 'PCV']));
  });

  it('names the country of an arrival, and leaves a move within the UK without one', () => {
    const row = { arrivedOn: '2025-09-01', fromArea: null, recordedBy: 'Jo', recordedAt: '2025-09-02T10:00:00Z' };
    expect(toArrival({ ...row, fromCountry: 'RO' })?.fromCountryName).toBe('Romania');
    expect(toArrival({ ...row, fromCountry: null, fromArea: 'Leeds' })?.fromCountryName).toBeNull();
    expect(toArrival(null)).toBeNull();
  });
});

describe('countries', () => {
  it('offers countries by name, without the UK itself or withdrawn codes', () => {
    const options = countryOptions();
    const codes = options.map((o) => o.code);
    expect(codes).toEqual(expect.arrayContaining(['PL', 'RO', 'AF', 'UA', 'IN', 'PK', 'NG', 'XK']));
    for (const gone of ['GB', 'UK', 'SU', 'YU', 'ZZ', 'EU', 'QO']) expect(codes).not.toContain(gone);
    expect(options.map((o) => o.name)).toEqual([...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b, 'en-GB')));
    expect(countryName('PL')).toBe('Poland');
    expect(countryName('QQ')).toBe('QQ');
  });
});

describe('transfer summary status rows', () => {
  const row = (over: Partial<ForecastRow>): ForecastRow =>
    ({
      key: 'X',
      name: 'X',
      alsoCountsFor: [],
      status: 'UPCOMING',
      nextDose: 1,
      nextProduct: 'X',
      dueFrom: null,
      dueDate: '2027-01-01',
      overdueFrom: null,
      latestDate: null,
      offer: null,
      caution: null,
      note: null,
      later: false,
      explanation: [],
      parts: [
        { seriesId: 'X', name: 'X', kind: 'course', status: 'UPCOMING', rules: 'R', explanation: [], dosesCounted: [], dosesIgnored: [] },
      ],
      ...over,
    }) as ForecastRow;

  it('leaves out what does not apply and far-off programmes never started, and counts the doses of the rest', () => {
    const rows = statusRows([
      row({
        key: 'SIX',
        name: '6-in-1',
        status: 'COMPLETE',
        nextDose: null,
        parts: [
          {
            ...row({}).parts[0]!,
            dosesCounted: SIX.slice(0, 3).map((_, i) => ({ eventId: i, date: '2024-01-01', doseNumber: i + 1, product: null })),
          },
        ],
      }),
      row({ key: 'HPV-IMMUNO', name: 'HPV (immunosuppressed)', status: 'NOT_ELIGIBLE' }),
      row({ key: 'SHINGLES', name: 'Shingles', later: true }),
      row({ key: 'MMR', name: 'MMR(V)', status: 'OVERDUE', nextProduct: 'MMR', dueDate: '2024-01-10' }),
    ]);
    expect(rows).toEqual([
      { vaccination: '6-in-1', alsoCountsFor: [], status: 'COMPLETE', dosesCounted: 3, next: null },
      { vaccination: 'MMR(V)', alsoCountsFor: [], status: 'OVERDUE', dosesCounted: 0, next: 'Dose 1 (MMR), due 10 January 2024' },
    ]);
  });
});

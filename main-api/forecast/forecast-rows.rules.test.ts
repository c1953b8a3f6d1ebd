// The rows the record screen and the printed record show, on the engine's real output with the
// shipped rules (not hand-made series), so a change in the rules shows up here.
import { describe, expect, it } from 'vitest';
import type { ForecastView } from '../contract/forecast';
import { forecast, scheduleRules, type EventInput, type PersonInput } from '../schedule';
import { dueNextRows, withoutRuleCodes } from './forecast-rows.rules';
import { toForecastView } from './forecast.service';

const rules = scheduleRules();
const SIX = ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB', 'HEPB'];

function view(dateOfBirth: string, given: [string, string[]][], asOf: string, flags: PersonInput['flags'] = []): ForecastView {
  const events: EventInput[] = given.map(([date, antigens], i) => ({ id: i + 1, date, antigens, outcome: 'GIVEN' }));
  const person = { dateOfBirth, flags };
  return toForecastView({ personId: 1, person, events, productNames: new Map() }, forecast(rules, person, events, asOf), rules);
}

const row = (v: ForecastView, seriesId: string) => v.rows.find((r) => r.parts.some((p) => p.seriesId === seriesId));

describe('forecast rows on the shipped rules', () => {
  // Born 1 September 2025, seen at ten months with the infant course up to date.
  const tenMonths = view(
    '2025-09-01',
    [
      ['2025-10-27', SIX],
      ['2025-10-27', ['MENB']],
      ['2025-10-27', ['ROTAVIRUS']],
      ['2025-11-24', SIX],
      ['2025-11-24', ['ROTAVIRUS']],
      ['2025-12-22', SIX],
      ['2025-12-22', ['MENB']],
      ['2025-12-22', ['PCV']],
    ],
    '2026-07-01',
  );

  it('shows each series exactly once, so nothing the engine said is lost', () => {
    const ids = tenMonths.rows.flatMap((r) => r.parts.map((p) => p.seriesId));
    expect(ids.sort()).toEqual(tenMonths.series.map((s) => s.seriesId).sort());
  });

  it('gives MMRV one row, though it counts for both MMR(V) and varicella', () => {
    const mmrv = row(tenMonths, 'VARICELLA');
    expect(mmrv).toBe(row(tenMonths, 'MMR'));
    expect(mmrv).toMatchObject({ name: 'MMR(V)', alsoCountsFor: ['Varicella (MMRV cohorts)'], nextProduct: 'MMRV', dueDate: '2026-09-01' });
  });

  it('gives the 18-month 6-in-1 dose one row to act on: it is also the Hib dose after the first birthday', () => {
    const hibRows = dueNextRows(tenMonths.rows).filter((r) =>
      r.parts.some((p) => p.seriesId === 'SIX-IN-1' || p.seriesId === 'HIB-AFTER-1'),
    );
    expect(hibRows).toHaveLength(1);
    expect(hibRows[0]).toMatchObject({ key: 'SIX-IN-1', name: '6-in-1 (DTaP/IPV/Hib/HepB)', nextDose: 4 });
    // The engine itself says the separate Hib booster does not apply to this cohort.
    expect(row(tenMonths, 'HIB-AFTER-1')?.status).toBe('NOT_ELIGIBLE');
  });

  it('keeps adult programmes decades away for "show later", and the visits of the coming year in view', () => {
    const shown = dueNextRows(tenMonths.rows);
    expect(shown.map((r) => r.key)).toEqual(['MENB', 'PCV', 'MMR', 'SIX-IN-1']);
    // Thirteen upcoming series before: MMRV and the 18-month dose were two rows each, adult programmes shown.
    expect(shown.every((r) => r.status === 'UPCOMING' && r.dueDate !== null && r.dueDate <= '2027-07-01')).toBe(true);
    for (const later of ['SHINGLES', 'RSV-OLDER', 'PPV23', 'HPV', 'PRESCHOOL']) {
      expect(row(tenMonths, later)?.later, later).toBe(true);
    }
  });

  it('shows explanations without rule codes, and keeps the codes for the details view', () => {
    const mmrv = row(tenMonths, 'MMR')!;
    expect(mmrv.explanation.length).toBeGreaterThan(0);
    expect(mmrv.explanation.join(' ')).not.toMatch(/\brules? [A-Z]|\(v\d/);
    expect(mmrv.explanation[0]).toContain('Born on or after 1 January 2025, so MMR(V): dose 1 (MMRV) at 12 months');
    expect(mmrv.parts.map((p) => p.explanation[0])).toEqual([
      expect.stringContaining('(rule MMRV-2026 v2025-26)'),
      expect.stringContaining('v2025-26)'),
    ]);
    expect(mmrv.parts[0]?.rules).toMatch(/^ENG-ROUTINE v/);
  });

  it('gives a child born in May 2023 one overdue Hib row, naming the vaccine actually given now', () => {
    const may2023 = view(
      '2023-05-15',
      [
        ['2023-07-10', SIX],
        ['2023-08-07', SIX],
        ['2023-09-04', SIX],
      ],
      '2026-07-01',
    );
    const overdueHib = may2023.rows.filter(
      (r) => r.status === 'OVERDUE' && r.parts.some((p) => p.seriesId === 'SIX-IN-1' || p.seriesId === 'HIB-AFTER-1'),
    );
    expect(overdueHib).toHaveLength(1);
    expect(overdueHib[0]).toMatchObject({ key: 'HIB-AFTER-1', nextDose: 1 });
    expect(overdueHib[0]?.nextProduct).toMatch(/^6-in-1/);
    expect(row(may2023, 'SIX-IN-1')?.status).toBe('COMPLETE');
    // Overdue first: what to act on today leads.
    expect(may2023.rows[0]?.status).toBe('OVERDUE');
    expect(may2023.rows.filter((r) => r.status === 'OVERDUE' && r.parts.some((p) => p.seriesId.startsWith('HIB')))).toHaveLength(1);
  });
});

describe('cautions in plain words', () => {
  const immunosuppressed = [{ code: 'IMMUNOSUPPRESSION', from: '2025-01-10', to: null }];

  it('keeps a live vaccine that needs a clinical assessment in "due next", with the reason and no codes', () => {
    // Born 1 September 2024 (MMRV at 18 months and 3 years 4 months), seen at 18 months.
    const v = view('2024-09-01', [], '2026-03-01', immunosuppressed);
    const mmr = row(v, 'MMR')!;
    expect(mmr.status).toBe('NEEDS_ASSESSMENT');
    expect(dueNextRows(v.rows)).toContain(mmr);
    expect(mmr.caution).toMatch(/^MMR and MMRV are live vaccines/);
    expect(mmr.note).toBe(`A clinician must assess this person before it is given: ${mmr.caution}.`);
    expect(mmr.note).not.toMatch(/IMMUNOSUPPRESSION|rule [A-Z]/);
    expect(mmr.explanation.join(' ')).not.toMatch(/IMMUNOSUPPRESSION|rule [A-Z]/);
    // The same person's inactivated vaccines are simply due.
    expect(row(v, 'SIX-IN-1')?.note).toBeNull();
  });

  it('says what to offer instead of the nasal flu spray, on the campaign and in its plain words', () => {
    // Aged 5 on 1 October 2025: in the school programme, whose usual vaccine is the nasal spray.
    const v = view('2020-03-01', [], '2025-10-01', immunosuppressed);
    const flu = v.campaigns.find((c) => c.campaignId.startsWith('FLU'))!;
    expect(flu.status).toBe('DUE');
    expect(flu.offer).toMatch(/injected inactivated flu vaccine instead of the nasal spray/);
    expect(flu.note).toBe(`Offer ${flu.offer}: ${flu.caution}.`);
    // Without the flag there is nothing to say.
    const plain = view('2020-03-01', [], '2025-10-01').campaigns.find((c) => c.campaignId === flu.campaignId)!;
    expect([plain.offer, plain.caution, plain.note]).toEqual([null, null, null]);
  });
});

describe('withoutRuleCodes', () => {
  it('removes the rule references the engine writes, and nothing else', () => {
    expect(withoutRuleCodes('Born on or after 1 May 2013, so Rotavirus: dose 1 at 8 weeks (rules ROTA-1, ROTA-2 v2025-26)')).toBe(
      'Born on or after 1 May 2013, so Rotavirus: dose 1 at 8 weeks',
    );
    expect(withoutRuleCodes('Next: dose 1 (Hib/MenC), rule HIBMENC-1Y v2025-26 — Interval (check)')).toBe(
      'Next: dose 1 (Hib/MenC) — Interval (check)',
    );
    expect(withoutRuleCodes('Born on 1 September 2025: outside the cohorts of MenC (v2025-26)')).toBe(
      'Born on 1 September 2025: outside the cohorts of MenC',
    );
    expect(withoutRuleCodes('Dose 1 given on 10 July 2023 (at 8 weeks)')).toBe('Dose 1 given on 10 July 2023 (at 8 weeks)');
    // A caution names the flags in words and keeps its source, without the rule code.
    expect(
      withoutRuleCodes(
        'Needs clinical assessment before MMR(V) dose 1: live (recorded: IMMUNOSUPPRESSION, HIV; rule MMR-IMMUNOSUPPRESSED; Green Book chapter 21)',
      ),
    ).toBe('Needs clinical assessment before MMR(V) dose 1: live (recorded: Immunosuppression, Living with HIV; Green Book chapter 21)');
    expect(withoutRuleCodes('Aged 2 or 3 on 31 August 2025; recorded: CHRONIC_HEART (rule FLU-AT-RISK, Flu 2025 to 2026 v1)')).toBe(
      'Aged 2 or 3 on 31 August 2025; recorded: Chronic heart disease',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { checkProposedDose } from './check';
import { DTAP_IPV, MMR, MMRV, SIX, given, person, rules, series } from './schedule.fixtures';
import type { EventInput } from './types';

const codes = (date: string, antigens: string[], events: EventInput[] = [], dob = '2025-09-10') =>
  checkProposedDose(rules, person(dob), events, { date, antigens }).map((w) => w.code);

describe('checking a proposed dose', () => {
  it('a correctly timed dose has no warnings', () => {
    expect(codes('2025-11-05', SIX)).toEqual([]);
    expect(codes('2025-12-03', SIX, [given('2025-11-05', SIX)])).toEqual([]);
  });
  it('TOO_EARLY before the earliest age', () => {
    const w = checkProposedDose(rules, person('2025-09-10'), [], { date: '2025-10-15', antigens: SIX });
    expect(w.map((x) => x.code)).toEqual(['TOO_EARLY']);
    expect(w[0]?.explanation).toContain('earliest age of 6 weeks');
  });
  it('TOO_SOON_AFTER_PREVIOUS within the minimum interval', () => {
    const w = checkProposedDose(rules, person('2025-09-10'), [given('2025-11-05', SIX)], { date: '2025-11-26', antigens: SIX });
    expect(w.map((x) => x.code)).toEqual(['TOO_SOON_AFTER_PREVIOUS']);
    expect(w[0]?.explanation).toContain('not before 3 December 2025');
  });
  it('OUTSIDE_AGE_WINDOW for rotavirus dose 1 at 15 weeks + 1 day', () => {
    const w = checkProposedDose(rules, person('2025-09-10'), [], { date: '2025-12-25', antigens: ['ROTAVIRUS'] });
    expect(w.map((x) => x.code)).toEqual(['OUTSIDE_AGE_WINDOW']);
    expect(w[0]?.explanation).toContain('must not be given late');
  });
  it('LIKELY_DUPLICATE for the same antigens within 14 days, and for a complete series', () => {
    expect(codes('2026-09-20', MMRV, [given('2026-09-10', MMRV)])).toContain('LIKELY_DUPLICATE');
    const done = [given('2024-03-15', MMR), given('2025-10-01', MMR)];
    expect(codes('2026-06-01', MMR, done, '2023-03-15')).toEqual(['LIKELY_DUPLICATE']);
  });
  it('NOT_IN_SCHEDULE for an antigen no series or campaign offers', () => {
    expect(codes('2025-11-05', ['BCG'])).toEqual(['NOT_IN_SCHEDULE']);
    expect(codes('2025-11-05', ['NOT_AN_ANTIGEN'])).toEqual(['NOT_IN_SCHEDULE']);
  });
  it('flu: NOT_IN_SCHEDULE when not eligible; LIKELY_DUPLICATE when already given this season', () => {
    expect(codes('2025-10-01', ['INFLUENZA'], [], '1985-01-01')).toEqual(['NOT_IN_SCHEDULE']);
    expect(codes('2025-10-01', ['INFLUENZA'], [], '1950-01-01')).toEqual([]);
    expect(codes('2025-12-01', ['INFLUENZA'], [given('2025-10-01', ['INFLUENZA'])], '1950-01-01')).toEqual(['LIKELY_DUPLICATE']);
  });
  it('a pre-school booster offered at 2 years is TOO_EARLY', () => {
    expect(codes('2027-09-10', ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO'])).toEqual(['TOO_EARLY']);
  });
  it('NEEDS_CLINICAL_ASSESSMENT for a live vaccine when the person is flagged immunosuppressed', () => {
    const flagged = person('2025-09-10', { flags: [{ code: 'IMMUNOSUPPRESSION', from: '2025-10-01', to: null }] });
    const w = checkProposedDose(rules, flagged, [], { date: '2026-09-10', antigens: MMRV });
    expect(w.map((x) => [x.code, x.seriesId])).toEqual([
      ['NEEDS_CLINICAL_ASSESSMENT', 'MMR'],
      ['NEEDS_CLINICAL_ASSESSMENT', 'VARICELLA'],
    ]);
    expect(w[0]?.explanation).toContain('rule MMR-IMMUNOSUPPRESSED');
    // Not for an inactivated vaccine, and not once the flag has ended.
    expect(checkProposedDose(rules, flagged, [], { date: '2025-11-05', antigens: SIX }).map((x) => x.code)).toEqual([]);
    const ended = person('2025-09-10', { flags: [{ code: 'IMMUNOSUPPRESSION', from: '2025-10-01', to: '2026-06-30' }] });
    expect(checkProposedDose(rules, ended, [], { date: '2026-09-10', antigens: MMRV }).map((x) => x.code)).toEqual([]);
  });
  it('NEEDS_CLINICAL_ASSESSMENT for BCG when a baby at TB risk is living with HIV', () => {
    const baby = person('2025-10-01', {
      flags: [
        { code: 'TB_RISK', from: '2025-10-01', to: null },
        { code: 'HIV', from: '2025-10-01', to: null },
      ],
    });
    const w = checkProposedDose(rules, baby, [], { date: '2025-10-29', antigens: ['BCG'] });
    expect(w.map((x) => [x.code, x.seriesId])).toEqual([['NEEDS_CLINICAL_ASSESSMENT', 'BCG']]);
  });
  describe('whooping cough vaccine in pregnancy (expected delivery 1 March 2026, so 16 weeks is 14 September 2025)', () => {
    const TD = ['DIPHTHERIA', 'TETANUS', 'POLIO'];
    // A childhood course and both boosters: her Td/IPV course is complete.
    const childhood = [
      given('1995-07-03', DTAP_IPV),
      given('1995-08-01', DTAP_IPV),
      given('1995-09-01', DTAP_IPV),
      given('1998-09-10', DTAP_IPV),
      given('2009-10-01', TD),
    ];
    const mum = person('1995-05-05', { flags: [{ code: 'PREGNANT', from: '2025-07-01', to: '2026-03-01' }] });

    it('is not a duplicate of the complete Td/IPV course it also covers', () => {
      expect(series(mum, childhood, '2025-10-12', 'TD-IPV').status).toBe('COMPLETE');
      expect(checkProposedDose(rules, mum, childhood, { date: '2025-10-12', antigens: DTAP_IPV })).toEqual([]);
    });
    it('is TOO_EARLY before 16 weeks, said in weeks of pregnancy', () => {
      const w = checkProposedDose(rules, mum, childhood, { date: '2025-09-13', antigens: DTAP_IPV });
      expect(w.map((x) => [x.code, x.seriesId])).toEqual([['TOO_EARLY', 'PERTUSSIS-PREGNANCY']]);
      expect(w[0]?.explanation).toContain('At 15 weeks 6 days of pregnancy it is earlier than 16 weeks of pregnancy');
    });
  });
});

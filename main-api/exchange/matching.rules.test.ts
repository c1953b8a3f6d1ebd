// The matching rules: exact, transposed names, twins, missing NHS number, wrong check digit.
import { describe, expect, it } from 'vitest';
import { CASES, REGISTER } from './matching.cases';
import { certainMatch, decide, matchGiven, matchName, POINTS, REVIEW_THRESHOLD, soundKey } from './matching.rules';

describe('person matching rules', () => {
  it.each(CASES)('$name', (c) => {
    const scores = decide(c.input, REGISTER);
    expect(certainMatch(scores)?.personId ?? null).toBe(c.certain);
    const shown = scores.filter((s) => s.points >= REVIEW_THRESHOLD || s.nhs === 'same').map((s) => s.personId);
    expect(shown.sort()).toEqual([...c.shown].sort());
  });

  it('never makes more than one candidate certain', () => {
    for (const c of CASES) expect(decide(c.input, REGISTER).filter((s) => s.certain).length).toBeLessThanOrEqual(1);
  });

  it('marks twins and scores the named one higher', () => {
    const scores = decide(
      { nhsNumber: null, familyName: 'Okafor', givenName: 'Isla', dateOfBirth: '2019-06-10', genderCode: '2', postcode: 'ME15 6AB' },
      REGISTER,
    );
    const isla = scores.find((s) => s.personId === 3)!;
    const ava = scores.find((s) => s.personId === 2)!;
    expect(isla.twin && ava.twin).toBe(true);
    expect(isla.points).toBe(POINTS.family.exact + POINTS.given.exact + POINTS.dateOfBirth + POINTS.sex.same + POINTS.postcode.exact);
    expect(ava.points).toBeLessThan(isla.points);
    expect(isla.certain).toBe(false);
  });

  it('compares names without accents, punctuation or later given names', () => {
    expect(matchName("O'Reilly")).toBe('OREILLY');
    expect(matchName('Zoë')).toBe('ZOE');
    expect(matchGiven('Mary Ann')).toBe('MARY');
    expect(soundKey('Tailor')).toBe(soundKey('Taylor'));
  });
});

import { describe, expect, it } from 'vitest';
import { schoolYearGroupsInWords } from '../shared/vocabulary/schools';
import { effectiveConsent, listsForTheDay } from './schools.rules';

describe('school session rules', () => {
  it('lets a competent child’s own decision stand over the parent’s response', () => {
    expect(effectiveConsent('REFUSED', 'COMPETENT_CONSENTS')).toBe('GIVEN');
    expect(effectiveConsent('GIVEN', 'COMPETENT_REFUSES')).toBe('REFUSED');
    expect(effectiveConsent('NOT_RETURNED', 'NOT_COMPETENT')).toBe('NOT_RETURNED');
    expect(effectiveConsent('GIVEN', null)).toBe('GIVEN');
  });

  it('splits the day’s lists by consent', () => {
    const children = [
      { consent: 'GIVEN' as const, outcome: 'VACCINATED' },
      { consent: 'GIVEN' as const, outcome: null },
      { consent: 'REFUSED' as const, outcome: null },
      { consent: 'NOT_RETURNED' as const, outcome: 'ABSENT' },
    ];
    const lists = listsForTheDay(children);
    expect([lists.GIVEN.length, lists.REFUSED.length, lists.NOT_RETURNED.length]).toEqual([2, 1, 1]);
  });

  it('names the year groups each programme invites', () => {
    expect(schoolYearGroupsInWords('HPV')).toBe('Year 8');
    expect(schoolYearGroupsInWords('MENACWY')).toBe('Year 9');
    expect(schoolYearGroupsInWords('SCHOOL_FLU')).toBe('Reception to Year 11');
  });
});

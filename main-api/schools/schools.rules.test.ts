import { describe, expect, it } from 'vitest';
import { effectiveConsent, listsForTheDay, remindersFrom, sessionFigures, yearGroupsInWords } from './schools.rules';

describe('school session rules', () => {
  it('lets a competent child’s own decision stand over the parent’s response', () => {
    expect(effectiveConsent('REFUSED', 'COMPETENT_CONSENTS')).toBe('GIVEN');
    expect(effectiveConsent('GIVEN', 'COMPETENT_REFUSES')).toBe('REFUSED');
    expect(effectiveConsent('NOT_RETURNED', 'NOT_COMPETENT')).toBe('NOT_RETURNED');
    expect(effectiveConsent('GIVEN', null)).toBe('GIVEN');
  });

  it('counts the session’s figures and splits the day’s lists by consent', () => {
    const children = [
      { consent: 'GIVEN' as const, outcome: 'VACCINATED' },
      { consent: 'GIVEN' as const, outcome: null },
      { consent: 'REFUSED' as const, outcome: null },
      { consent: 'NOT_RETURNED' as const, outcome: 'ABSENT' },
    ];
    expect(sessionFigures(children)).toEqual({
      children: 4,
      consentGiven: 2,
      consentRefused: 1,
      notReturned: 1,
      vaccinated: 1,
      outcomesRecorded: 2,
    });
    const lists = listsForTheDay(children);
    expect([lists.GIVEN.length, lists.REFUSED.length, lists.NOT_RETURNED.length]).toEqual([2, 1, 1]);
  });

  it('names the year groups each programme invites', () => {
    expect(yearGroupsInWords('HPV')).toBe('Year 8');
    expect(yearGroupsInWords('MENACWY')).toBe('Year 9');
    expect(yearGroupsInWords('SCHOOL_FLU')).toBe('Reception to Year 11');
  });

  it('starts reminders the given days before the session', () => {
    expect(remindersFrom('2026-10-08', 7)).toBe('2026-10-01');
    expect(remindersFrom('2027-03-03', 7)).toBe('2027-02-24');
  });
});

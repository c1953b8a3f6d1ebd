import { describe, expect, it } from 'vitest';
import { actionNeeds, emptyFilterForm, filterOf, progressSentence, typedCodes, typedYearGroups } from './child-health';

describe('the register filter form', () => {
  it('leaves out what is empty and reads typed codes', () => {
    expect(filterOf(emptyFilterForm())).toEqual({});
    expect(
      filterOf({ ...emptyFilterForm(), practices: 'g82001, G82002 g82001', yearGroups: 'R 3', statuses: ['OVERDUE'], minDaysOverdue: 0 }),
    ).toEqual({ practices: ['G82001', 'G82002'], yearGroups: [0, 3], statuses: ['OVERDUE'], minDaysOverdue: 0 });
  });

  it('reads year groups as numbers, reception and nursery, and refuses anything else', () => {
    expect(typedYearGroups('N, R, 11')).toEqual([-1, 0, 11]);
    expect(typedYearGroups('Year 3')).toBeNull();
    expect(typedCodes(' me1 ;  me14 ')).toEqual(['ME1', 'ME14']);
  });
});

describe('a worklist in words', () => {
  it('says how many are left and what closed the others', () => {
    expect(progressSentence({ members: 5, open: 5, noLongerOverdue: 0, closed: {}, actions: {} })).toBe('5 of 5 still to follow up.');
    expect(progressSentence({ members: 5, open: 2, noLongerOverdue: 1, closed: { DECLINE: 1, MOVED_AWAY: 1 }, actions: {} })).toBe(
      '2 of 5 still to follow up: 1 no longer overdue, 1 declined, 1 moved away.',
    );
    expect(progressSentence({ members: 1, open: 0, noLongerOverdue: 1, closed: {}, actions: {} })).toBe(
      'None left to follow up: 1 no longer overdue.',
    );
  });

  it('asks each action for what it needs', () => {
    expect(actionNeeds('CALL')).toEqual({ callOutcome: true, declineReason: false, noteRequired: false });
    expect(actionNeeds('DECLINE')).toEqual({ callOutcome: false, declineReason: true, noteRequired: false });
    expect(actionNeeds('REFER_GP').noteRequired).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { ChildRow } from '../contract/worklists';
import { csvCell, dnaNextAction, owedExplanations, registerCsv, type DnaFacts } from './worklists.rules';

const facts = (f: Partial<DnaFacts>): DnaFacts => ({
  followUpStatus: null,
  lettersSince: 0,
  callsSince: 0,
  lastCallOutcome: null,
  referredToGp: false,
  daysSinceMissed: 3,
  ...f,
});

describe('the next action after a missed appointment', () => {
  it('writes first, unless the campaign already wrote', () => {
    expect(dnaNextAction(facts({}))).toBe('SEND_LETTER');
    expect(dnaNextAction(facts({ followUpStatus: 'PENDING' }))).toBe('AWAIT_REPLY');
    expect(dnaNextAction(facts({ followUpStatus: 'FAILED' }))).toBe('SEND_LETTER');
    expect(dnaNextAction(facts({ followUpStatus: 'RETURNED' }))).toBe('SEND_LETTER');
  });

  it('gives the family two weeks to reply, then calls', () => {
    expect(dnaNextAction(facts({ lettersSince: 1, daysSinceMissed: 13 }))).toBe('AWAIT_REPLY');
    expect(dnaNextAction(facts({ lettersSince: 1, daysSinceMissed: 14 }))).toBe('CALL');
  });

  it('calls again, then refers to the GP after two calls that did not lead to a booking or a wrong number', () => {
    expect(dnaNextAction(facts({ callsSince: 1, lastCallOutcome: 'NO_ANSWER' }))).toBe('CALL_AGAIN');
    expect(dnaNextAction(facts({ callsSince: 2, lastCallOutcome: 'LEFT_MESSAGE' }))).toBe('REFER_GP');
    expect(dnaNextAction(facts({ callsSince: 1, lastCallOutcome: 'WRONG_NUMBER' }))).toBe('REFER_GP');
    expect(dnaNextAction(facts({ callsSince: 1, lastCallOutcome: 'SPOKE_WILL_BOOK', daysSinceMissed: 5 }))).toBe('AWAIT_REPLY');
    expect(dnaNextAction(facts({ callsSince: 3, lastCallOutcome: 'SPOKE_WILL_BOOK', daysSinceMissed: 20 }))).toBe('CALL_AGAIN');
  });

  it('waits for the practice once referred', () => {
    expect(dnaNextAction(facts({ referredToGp: true, callsSince: 5 }))).toBe('GP_REFERRED');
  });
});

describe('why doses are owed', () => {
  const series = [
    { seriesId: 'MMR', seriesName: 'MMR', status: 'OVERDUE', explanation: ['Dose 1 due at 1 year', 'No dose recorded'] },
    { seriesId: 'PCV', seriesName: 'PCV', status: 'COMPLETE', explanation: ['Complete'] },
    { seriesId: 'MENB', seriesName: 'MenB', status: 'DUE', explanation: ['Booster due'] },
  ];

  it('keeps the engine’s words for each owed series, in the register’s order', () => {
    expect(owedExplanations([{ seriesId: 'MENB' }, { seriesId: 'MMR' }], series)).toEqual([
      { seriesId: 'MENB', name: 'MenB', explanation: ['Booster due'] },
      { seriesId: 'MMR', name: 'MMR', explanation: ['Dose 1 due at 1 year', 'No dose recorded'] },
    ]);
  });

  it('leaves out a series the engine no longer calls owed, or does not know', () => {
    expect(owedExplanations([{ seriesId: 'PCV' }, { seriesId: 'HPV' }], series)).toEqual([]);
  });
});

describe('the register as CSV', () => {
  it('quotes what needs quoting and never writes a formula', () => {
    expect(csvCell('Smith, Jo')).toBe('"Smith, Jo"');
    expect(csvCell('O"Neil')).toBe('"O""Neil"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+44')).toBe("'+44");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
  });

  it('writes a header and one CRLF line per child with labels, not codes', () => {
    const row: ChildRow = {
      personId: 1,
      nhsNumber: '9990000018',
      givenName: 'Ann',
      familyName: 'Lee',
      dateOfBirth: '2019-03-04',
      practiceCode: 'G82001',
      practiceName: 'Alpha Surgery',
      localAuthority: 'Medway',
      postcodeDistrict: 'ME1',
      schoolUrn: '118000',
      schoolName: 'Hill Primary',
      yearGroup: 0,
      status: 'OVERDUE',
      overdueFrom: '2026-01-02',
      daysOverdue: 30,
      owed: [
        { seriesId: 'MMR', name: 'MMR', status: 'OVERDUE', dose: 2, dueDate: '2022-07-04', overdueFrom: '2026-01-02' },
        { seriesId: 'PRESCHOOL', name: 'Pre-school booster', status: 'DUE', dose: null, dueDate: '2022-07-04', overdueFrom: null },
      ],
    };
    const csv = registerCsv([row]);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines[1]).toBe(
      '9990000018,Lee,Ann,2019-03-04,G82001,Alpha Surgery,Medway,ME1,118000,Hill Primary,Reception,Overdue,2026-01-02,30,MMR dose 2 (overdue); Pre-school booster (due)',
    );
  });
});

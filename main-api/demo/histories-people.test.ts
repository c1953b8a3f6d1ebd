import { describe, expect, it } from 'vitest';
import { field } from '../platform/db/copy-writer';
import { HistoryPeople, PB } from './histories-people';

describe('HistoryPeople', () => {
  it('keeps what the histories need per person, growing as people are added', () => {
    const practice = field('G89001');
    const school = field('118765');
    const employer = field('RWF');
    const log = new HistoryPeople();
    for (let i = 0; i < 3000; i++) {
      log.person(101 + i, 20_000 + i, -1, i % 2 === 0, 1 + (i % 10), i === 5 ? null : practice, i % 3 === 0 ? school : null, null);
      if (i === 7) log.flag('MORBID_OBESITY');
      if (i === 8) log.flag('ASTHMA_UNKNOWN_CODE');
      if (i === 9) log.flag('IMMUNOSUPPRESSION');
      if (i === 10) log.pregnancy(19_000);
      if (i === 11) log.staff(employer, true, 18_000, null);
      if (i === 12) log.staff(employer, false, 18_000, null);
    }
    expect(log.count).toBe(3000);
    expect(log.firstId).toBe(101);
    expect(log.dob[2999]).toBe(22_999);
    expect(log.practices.values).toEqual(['G89001']);
    expect(log.practice[5]).toBe(-1);
    expect(log.bits[5]! & PB.DEREGISTERED).toBe(PB.DEREGISTERED);
    expect(log.schools.values).toEqual(['118765']);
    expect(log.school[3]).toBe(0);
    expect(log.school[4]).toBe(-1);
    // Morbid obesity counts for adults only; immunosuppression for both.
    expect(log.bits[7]! & (PB.RISK_ADULT | PB.RISK_CHILD)).toBe(PB.RISK_ADULT);
    expect(log.bits[8]! & (PB.RISK_ADULT | PB.RISK_CHILD)).toBe(0);
    expect(log.bits[9]! & (PB.RISK_CHILD | PB.IMMUNOSUPPRESSED)).toBe(PB.RISK_CHILD | PB.IMMUNOSUPPRESSED);
    expect(log.conceived[10]).toBe(19_000);
    expect(log.conceived[11]).toBe(-1);
    expect(log.employer[11]).toBe(0);
    expect(log.bits[11]! & PB.FRONTLINE).toBe(PB.FRONTLINE);
    expect(log.employer[12]).toBe(-1);
  });

  it('refuses people who are not numbered consecutively', () => {
    const log = new HistoryPeople();
    log.person(1, 0, -1, true, 5, null, null, null);
    expect(() => log.person(3, 0, -1, true, 5, null, null, null)).toThrow();
  });
});

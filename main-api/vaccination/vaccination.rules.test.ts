import { describe, expect, it } from 'vitest';
import { AppError } from '../contract/result';
import {
  checkDateAllowed,
  checkExpiryPlausible,
  checkNotExpired,
  checkOutcome,
  checkReaction,
  procedureFor,
  resolveOccurrence,
} from './vaccination.rules';

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('resolveOccurrence', () => {
  it('needs a date or a time', () => {
    expect(failure(() => resolveOccurrence(null, null)).message).toMatch(/Enter the date/);
  });
  it('derives the clinical date from the time', () => {
    expect(resolveOccurrence('2025-06-30T23:30:00Z', null)).toEqual({ occurredAt: '2025-06-30T23:30:00Z', occurredOn: '2025-07-01' });
  });
  it('accepts a date alone', () => {
    expect(resolveOccurrence(null, '2020-01-05')).toEqual({ occurredAt: null, occurredOn: '2020-01-05' });
  });
  it('refuses a time that falls on another day than the date given', () => {
    const e = failure(() => resolveOccurrence('2025-06-30T23:30:00Z', '2025-06-30'));
    expect(e.message).toBe('The time given falls on 1 July 2025 in England, not 30 June 2025.');
  });
});

describe('checkDateAllowed', () => {
  const person = { dateOfBirth: '2024-03-01', dateOfDeath: null };
  it('allows today and the date of birth', () => {
    expect(() => checkDateAllowed('2025-10-01', '2025-10-01', person)).not.toThrow();
    expect(() => checkDateAllowed('2024-03-01', '2025-10-01', person)).not.toThrow();
  });
  it('refuses the future, before birth and after death', () => {
    expect(failure(() => checkDateAllowed('2025-10-02', '2025-10-01', person)).message).toMatch(/in the future/);
    expect(failure(() => checkDateAllowed('2024-02-29', '2025-10-01', person)).message).toMatch(/before the date of birth/);
    expect(failure(() => checkDateAllowed('2025-01-02', '2025-10-01', { ...person, dateOfDeath: '2025-01-01' })).message).toMatch(
      /after the date of death/,
    );
  });
});

describe('checkNotExpired', () => {
  it('allows a batch on its expiry date', () => {
    expect(() => checkNotExpired('AB123', '2025-10-01', '2025-10-01')).not.toThrow();
  });
  it('refuses an expired batch, naming the expiry', () => {
    const e = failure(() => checkNotExpired('AB123', '2025-09-30', '2025-10-01'));
    expect(e.code).toBe('VALIDATION');
    expect(e.message).toMatch(/^Batch AB123 expired on 30 September 2025/);
    expect(e.details).toMatchObject({ kind: 'fields', fields: [{ field: 'batch' }] });
    expect(e.message).toContain('30 September 2025');
  });
});

describe('checkExpiryPlausible', () => {
  it('allows an expiry up to 5 years after the day, clamped as the calendar clamps', () => {
    expect(() => checkExpiryPlausible('batch', 'AB1', '2030-10-01', '2025-10-01', 'vaccination date')).not.toThrow();
    expect(() => checkExpiryPlausible('batch', 'AB1', '2029-02-28', '2024-02-29', 'vaccination date')).not.toThrow();
    expect(() => checkExpiryPlausible('batch', 'AB1', '2029-03-01', '2024-02-29', 'vaccination date')).toThrow(AppError);
  });
  it('refuses 31/12/9999, naming the field and the rule', () => {
    const e = failure(() => checkExpiryPlausible('batch.expiryDate', 'AB1', '9999-12-31', '2025-10-01', 'vaccination date'));
    expect(e.code).toBe('VALIDATION');
    expect(e.details).toMatchObject({ kind: 'fields', fields: [{ field: 'batch.expiryDate' }] });
    expect(e.message).toBe(
      'Batch AB1 cannot expire on 31 December 9999: that is more than 5 years after the vaccination date (1 October 2025). Check the expiry date on the vial.',
    );
  });
});

describe('checkOutcome', () => {
  const given = { outcome: 'GIVEN' as const, notGivenReason: null, productCode: '34925111000001104', hasBatch: true, primarySource: true };
  it('accepts a complete given dose and a reported one without batch', () => {
    expect(() => checkOutcome(given)).not.toThrow();
    expect(() => checkOutcome({ ...given, hasBatch: false, primarySource: false })).not.toThrow();
  });
  it('needs a product, and a batch when given here', () => {
    expect(failure(() => checkOutcome({ ...given, productCode: null })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'productCode' }],
    });
    expect(failure(() => checkOutcome({ ...given, hasBatch: false })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'batch' }],
    });
  });
  it('needs a reason exactly when not given, and no batch then', () => {
    const notGiven = { ...given, outcome: 'NOT_GIVEN' as const, hasBatch: false, notGivenReason: 'DECLINED' };
    expect(() => checkOutcome(notGiven)).not.toThrow();
    expect(failure(() => checkOutcome({ ...notGiven, notGivenReason: null })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'notGivenReason' }],
    });
    expect(failure(() => checkOutcome({ ...notGiven, hasBatch: true })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'batch' }],
    });
    expect(failure(() => checkOutcome({ ...given, notGivenReason: 'DECLINED' })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'notGivenReason' }],
    });
  });
});

describe('checkReaction', () => {
  const ok = {
    reactionCode: 'FEVER',
    description: null,
    seriousness: 'NOT_SERIOUS',
    outcome: 'RECOVERED',
    reportedToMhra: false,
    yellowCardReference: null,
  };
  it('accepts a simple reaction', () => {
    expect(() => checkReaction(ok)).not.toThrow();
  });
  it('needs a description for OTHER', () => {
    expect(failure(() => checkReaction({ ...ok, reactionCode: 'OTHER' })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'description' }],
    });
  });
  it('needs "reported" for a Yellow Card reference', () => {
    expect(failure(() => checkReaction({ ...ok, yellowCardReference: 'YC123' })).details).toMatchObject({
      kind: 'fields',
      fields: [{ field: 'reportedToMhra' }],
    });
  });
  it('keeps fatal seriousness and outcome together', () => {
    expect(() => checkReaction({ ...ok, seriousness: 'FATAL', outcome: 'FATAL' })).not.toThrow();
    expect(failure(() => checkReaction({ ...ok, seriousness: 'FATAL' })).code).toBe('VALIDATION');
  });
});

describe('procedureFor', () => {
  const mmr = [
    { appliesTo: 'DOSE_1' as const, code: '38598009' },
    { appliesTo: 'DOSE_2' as const, code: '170433008' },
  ];
  const hpv = [{ appliesTo: 'OTHER' as const, code: '761841000' }];
  it('picks the dose-specific code, else the general one', () => {
    expect(procedureFor(mmr, 1)?.code).toBe('38598009');
    expect(procedureFor(mmr, 2)?.code).toBe('170433008');
    expect(procedureFor(mmr, 3)).toBeNull();
    expect(procedureFor(hpv, 2)?.code).toBe('761841000');
    expect(procedureFor([], 1)).toBeNull();
  });
});

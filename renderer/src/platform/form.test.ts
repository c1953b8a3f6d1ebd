import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, reactive, ref } from 'vue';
import type { ApiError } from '../../../main-api/contract/result';
import { fieldErrors, placeError, stillStanding, targetOf, useContractForm, validationError } from './form';

const invalid = (...fields: { field: string; message: string; reason?: string }[]): ApiError => ({
  code: 'VALIDATION',
  message: fields[0]!.message,
  details: { kind: 'fields', fields: [fields[0]!, ...fields.slice(1)] },
});

describe('targetOf', () => {
  const known = ['date', 'batchNumber', 'batchExpiry', 'reason'];

  it('places a contract name through the table, falling back to its parents', () => {
    const map = { occurredOn: 'date', 'changes.batch': 'batchNumber', 'changes.batch.expiryDate': 'batchExpiry' };
    expect(targetOf({ field: 'occurredOn', message: '' }, known, map)).toBe('date');
    expect(targetOf({ field: 'changes.batch.expiryDate', message: '' }, known, map)).toBe('batchExpiry');
    expect(targetOf({ field: 'changes.batch.batchNumber', message: '' }, known, map)).toBe('batchNumber');
  });

  it('places a name the form shares without a map, and nothing else', () => {
    expect(targetOf({ field: 'reason', message: '' }, known)).toBe('reason');
    expect(targetOf({ field: 'eventId', message: '' }, known)).toBeNull();
  });

  it('lets a function place by state or reason, and falls back to the same name when it declines', () => {
    const map = (i: { field: string; reason?: string }) => (i.reason === 'unknown-batch' ? 'batchExpiry' : null);
    expect(targetOf({ field: 'batch', message: '', reason: 'unknown-batch' }, known, map)).toBe('batchExpiry');
    expect(targetOf({ field: 'date', message: '' }, known, map)).toBe('date');
  });
});

describe('fieldErrors', () => {
  it('gives the first message for each field, and nothing for other kinds of error', () => {
    const error = invalid(
      { field: 'occurredOn', message: 'The vaccination date is in the future.' },
      { field: 'occurredOn', message: 'A second complaint about the date.' },
      { field: 'batch', message: 'Enter the batch number.' },
    );
    expect(fieldErrors(error)).toEqual({ occurredOn: 'The vaccination date is in the future.', batch: 'Enter the batch number.' });
    expect(fieldErrors(error, { occurredOn: 'date' }, ['date'])).toEqual({ date: 'The vaccination date is in the future.' });
    expect(fieldErrors({ details: { kind: 'conflict', constraint: null } })).toEqual({});
    expect(fieldErrors(null)).toEqual({});
  });
});

describe('validationError', () => {
  it('makes a VALIDATION error of the form’s own checks; a null field is about the whole form', () => {
    expect(validationError([{ field: 'reason', message: 'Say why.' }])).toEqual(invalid({ field: 'reason', message: 'Say why.' }));
    expect(validationError([{ field: null, message: 'Change at least one detail, or cancel.' }])).toEqual({
      code: 'VALIDATION',
      message: 'Change at least one detail, or cancel.',
    });
  });
});

describe('placeError and stillStanding', () => {
  it('puts field messages beside their fields and the rest in the summary', () => {
    const values = { date: '32/01/2026', reason: '' };
    const split = placeError(
      invalid({ field: 'date', message: 'Enter a real date.' }, { field: 'eventId', message: 'Unknown event.' }),
      values,
    );
    expect(split.placed).toEqual([{ field: 'date', message: 'Enter a real date.', value: '"32/01/2026"' }]);
    expect(split.general).toEqual(['Unknown event.']);
    expect(placeError({ code: 'CONFLICT', message: 'Someone else changed it.' }, values)).toEqual({
      placed: [],
      general: ['Someone else changed it.'],
    });
  });

  it('keeps a message only while its field holds the value it was about', () => {
    const placed = [
      { field: 'date', message: 'Enter a real date.', value: '"32/01/2026"' },
      { field: 'reason', message: 'Say why.', value: '""' },
    ];
    expect(stillStanding(placed, { date: '31/01/2026', reason: '' })).toEqual([placed[1]]);
  });
});

describe('useContractForm', () => {
  it('clears a field’s message when that field changes, and the summary with it', async () => {
    const f = ref({ date: '32/01/2026', reason: '' });
    const scope = effectScope();
    const form = scope.run(() => useContractForm(() => f.value))!;
    form.fail(invalid({ field: 'date', message: 'Enter a real date.' }, { field: 'reason', message: 'Say why.' }));
    expect(form.item('date')).toEqual({ feedback: 'Enter a real date.', validationStatus: 'error' });
    expect(form.messages).toEqual(['Enter a real date.', 'Say why.']);

    f.value.date = '31/01/2026';
    await nextTick();
    expect(form.item('date')).toEqual({});
    expect(form.feedback('reason')).toBe('Say why.');
    expect(form.messages).toEqual(['Say why.']);

    form.invalid(null, 'Change at least one detail, or cancel.');
    expect(form.messages).toEqual(['Change at least one detail, or cancel.']);
    form.clear();
    expect(form.messages).toEqual([]);
    scope.stop();
  });

  it('shows the errors of the requests it is given, placed through the map', async () => {
    const request = reactive({ error: null as ApiError | null });
    const f = ref({ date: '01/02/2026', batchNumber: 'AB12' });
    const scope = effectScope();
    const form = scope.run(() => useContractForm(() => f.value, { map: { occurredOn: 'date' }, from: [request] }))!;
    request.error = invalid({ field: 'occurredOn', message: 'The vaccination date 1 February 2026 is in the future.' });
    await nextTick();
    expect(form.feedback('date')).toBe('The vaccination date 1 February 2026 is in the future.');

    // Asked again and answered: its old message goes.
    request.error = null;
    await nextTick();
    expect(form.messages).toEqual([]);
    scope.stop();
  });

  it('leaves the form’s own messages alone when another request’s error clears', async () => {
    const request = reactive({ error: { code: 'INTERNAL', message: 'Something went wrong.' } as ApiError | null });
    const f = ref({ reason: '' });
    const scope = effectScope();
    const form = scope.run(() => useContractForm(() => f.value, { from: [request] }))!;
    form.invalid('reason', 'Say why.');
    request.error = null;
    await nextTick();
    expect(form.messages).toEqual(['Say why.']);
    scope.stop();
  });
});

import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { Result } from '../../../main-api/contract/result';
import { call } from './call';
import { LOST_MID_REQUEST, LOST_MID_SAVE, useFormSave, useMutation } from './mutation';

vi.mock('./call', () => ({ call: vi.fn() }));
// Typed loosely: the replies here stand in for any channel's answer.
const callMock = vi.mocked(call) as unknown as Mock<(channel: string, input: unknown) => Promise<Result<unknown>>>;

beforeEach(() => callMock.mockReset());

const input = { eventId: 4, reason: 'Recorded against the wrong child' };

describe('useMutation', () => {
  it('sends once while a request is out: a second Save does nothing', async () => {
    let resolve!: (r: Result<unknown>) => void;
    callMock.mockReturnValueOnce(new Promise((r) => (resolve = r)));
    const m = useMutation('vaccination.markEnteredInError');
    const first = m.run(input);
    expect(m.pending).toBe(true);
    expect(await m.run(input)).toBeUndefined();
    resolve({ ok: true, value: { id: 4 } });
    expect(await first).toEqual({ id: 4 });
    expect(m.pending).toBe(false);
    expect(callMock).toHaveBeenCalledTimes(1);
  });

  it('keeps the error with its field messages, and forgets it on the next run', async () => {
    callMock.mockResolvedValueOnce({
      ok: false,
      error: {
        code: 'VALIDATION',
        message: 'reason: Too small',
        details: { kind: 'fields', fields: [{ field: 'reason', message: 'Too small' }] },
      },
    });
    const m = useMutation('vaccination.markEnteredInError');
    expect(await m.run(input)).toBeUndefined();
    expect(m.error?.code).toBe('VALIDATION');
    expect(m.fieldErrors).toEqual({ reason: 'Too small' });

    callMock.mockResolvedValueOnce({ ok: true, value: { id: 4 } });
    await m.run(input);
    expect(m.error).toBeNull();
    expect(m.fieldErrors).toEqual({});
  });

  it('says that a change may have been made when the connection went mid-request', async () => {
    callMock.mockResolvedValueOnce({ ok: false, error: { code: 'UNAVAILABLE', message: 'The application host is not responding.' } });
    const m = useMutation('vaccination.markEnteredInError');
    await m.run(input);
    expect(m.error).toEqual({ code: 'UNAVAILABLE', message: LOST_MID_REQUEST });
  });
});

describe('useFormSave', () => {
  it('sends one key with every save of a form, and a new key for the next form', async () => {
    callMock.mockResolvedValue({ ok: false, error: { code: 'UNAVAILABLE', message: 'The application host is not responding.' } });
    const m = useFormSave('vaccination.markEnteredInError');
    await m.run(input);
    await m.run(input);
    // Sending again is safe now, and the message says so.
    expect(m.error).toEqual({ code: 'UNAVAILABLE', message: LOST_MID_SAVE });
    m.newForm();
    expect(m.error).toBeNull();
    await m.run(input);
    const keys = callMock.mock.calls.map(([, sent]) => (sent as { idempotencyKey: string }).idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(callMock.mock.calls[0]![1]).toEqual({ ...input, idempotencyKey: keys[0] });
  });
});

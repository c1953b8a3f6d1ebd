import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { Result } from '../../../main-api/contract/result';
import { call } from './call';
import { LOST_MID_REQUEST, useMutation } from './mutation';

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

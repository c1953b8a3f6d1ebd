import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import type { Result } from '../../../main-api/contract/result';
import { call } from './call';
import { useQuery } from './query';
import { useConnectionStore } from './stores/connection';

vi.mock('./call', () => ({ call: vi.fn() }));
// Typed loosely: the replies here stand in for any channel's answer.
const callMock = vi.mocked(call) as unknown as Mock<(channel: string, input: unknown) => Promise<Result<unknown>>>;

/** A reply the test hands over when it chooses, to put replies out of order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const answer = (text: string): Result<unknown> => ({ ok: true, value: { interpretedAs: text, results: [], truncated: false } });
const settle = async () => {
  for (let i = 0; i < 5; i += 1) await nextTick();
};

beforeEach(() => {
  setActivePinia(createPinia());
  callMock.mockReset();
});

describe('useQuery', () => {
  it('asks with the input, then again only when the input changes by value', async () => {
    callMock.mockImplementation(async (_channel, input) => answer((input as { text: string }).text));
    const text = ref('SMITH');
    const scope = effectScope();
    const q = scope.run(() => useQuery('person.search', () => ({ text: text.value })))!;
    expect(q.loading).toBe(true);
    await settle();
    expect(q.loading).toBe(false);
    expect(q.data).toMatchObject({ interpretedAs: 'SMITH' });
    expect(callMock).toHaveBeenCalledWith('person.search', { text: 'SMITH' });

    text.value = 'JONES';
    await settle();
    expect(q.data).toMatchObject({ interpretedAs: 'JONES' });
    expect(callMock).toHaveBeenCalledTimes(2);

    // The same text again makes an equal input: nothing to ask.
    text.value = 'JONES';
    await settle();
    expect(callMock).toHaveBeenCalledTimes(2);
    scope.stop();
  });

  it('asks nothing while the input is null, and clears the answer when it becomes null', async () => {
    callMock.mockResolvedValue(answer('SMITH'));
    const text = ref<string | null>(null);
    const scope = effectScope();
    const q = scope.run(() => useQuery('person.search', () => (text.value === null ? null : { text: text.value })))!;
    await settle();
    expect(callMock).not.toHaveBeenCalled();
    expect(q.loading).toBe(false);

    text.value = 'SMITH';
    await settle();
    expect(q.data).not.toBeNull();
    text.value = null;
    await settle();
    expect(q.data).toBeNull();
    scope.stop();
  });

  it('never lets a slow earlier reply overwrite a newer one', async () => {
    const slow = deferred<Result<unknown>>();
    const fast = deferred<Result<unknown>>();
    callMock.mockReturnValueOnce(slow.promise).mockReturnValueOnce(fast.promise);
    const text = ref('SMITH');
    const scope = effectScope();
    const q = scope.run(() => useQuery('person.search', () => ({ text: text.value })))!;
    text.value = 'JONES';
    await settle();
    fast.resolve(answer('JONES'));
    await settle();
    slow.resolve(answer('SMITH'));
    await settle();
    expect(q.data).toMatchObject({ interpretedAs: 'JONES' });
    expect(q.loading).toBe(false);
    scope.stop();
  });

  it('clears the answer on a refusal but keeps it through a lost connection', async () => {
    const scope = effectScope();
    callMock.mockResolvedValueOnce({ ok: true, value: { id: 1 } });
    const q = scope.run(() => useQuery('person.open', () => ({ id: 1 })))!;
    await settle();
    expect(q.data).toEqual({ id: 1 });

    callMock.mockResolvedValueOnce({ ok: false, error: { code: 'UNAVAILABLE', message: 'The application host is not responding.' } });
    await q.reload();
    expect(q.error?.code).toBe('UNAVAILABLE');
    expect(q.data).toEqual({ id: 1 });

    callMock.mockResolvedValueOnce({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No person with that record number is available to you.' },
    });
    await q.reload();
    expect(q.error?.code).toBe('NOT_FOUND');
    expect(q.data).toBeNull();
    scope.stop();
  });

  it('asks again when the connection comes back, so a screen that failed in an outage refreshes', async () => {
    const scope = effectScope();
    callMock.mockResolvedValueOnce({ ok: false, error: { code: 'UNAVAILABLE', message: 'The application host is not responding.' } });
    const q = scope.run(() => useQuery('vaccination.history', () => ({ personId: 7 })))!;
    await settle();
    expect(q.error?.code).toBe('UNAVAILABLE');

    callMock.mockResolvedValueOnce({ ok: true, value: { events: [], reactions: [] } });
    useConnectionStore().recoveries += 1;
    await settle();
    expect(callMock).toHaveBeenLastCalledWith('vaccination.history', { personId: 7 });
    expect(q.error).toBeNull();
    expect(q.data).toEqual({ events: [], reactions: [] });
    scope.stop();
  });

  it('drops a reply that arrives after the screen has gone, and stops listening for recoveries', async () => {
    const reply = deferred<Result<unknown>>();
    callMock.mockReturnValueOnce(reply.promise);
    const scope = effectScope();
    const q = scope.run(() => useQuery('person.open', () => ({ id: 1 })))!;
    scope.stop();
    reply.resolve({ ok: true, value: { id: 1 } });
    await settle();
    expect(q.data).toBeNull();
    useConnectionStore().recoveries += 1;
    await settle();
    expect(callMock).toHaveBeenCalledTimes(1);
  });

  it('keeps the previous answer while the next loads, when asked to', async () => {
    const later = deferred<Result<unknown>>();
    callMock.mockResolvedValueOnce({ ok: true, value: ['2026-01-01 list'] }).mockReturnValueOnce(later.promise);
    const onDate = ref('2026-01-01');
    const scope = effectScope();
    const q = scope.run(() =>
      useQuery('batch.list', () => ({ productCode: 'MMRVAXPRO', onDate: onDate.value }), { keepPreviousData: true }),
    )!;
    await settle();
    onDate.value = '2026-02-01';
    await settle();
    expect(q.loading).toBe(true);
    expect(q.data).toEqual(['2026-01-01 list']);
    later.resolve({ ok: true, value: ['2026-02-01 list'] });
    await settle();
    expect(q.data).toEqual(['2026-02-01 list']);
    scope.stop();
  });
});

import { describe, expect, it, vi } from 'vitest';
import { liveCount } from './live-count';

/** A request whose answer the test releases when it chooses. */
function controlled() {
  const pending: { input: number; resolve: (v: string) => void }[] = [];
  const fetch = (input: number) => new Promise<string>((resolve) => pending.push({ input, resolve }));
  return { fetch, pending };
}

describe('the live count', () => {
  it('asks once the typing pauses, with the last input only', async () => {
    vi.useFakeTimers();
    const { fetch, pending } = controlled();
    const answers: string[] = [];
    const live = liveCount(fetch, { onStart: () => {}, onAnswer: (a) => answers.push(a), onIdle: () => {} }, 300);
    live.change(1);
    vi.advanceTimersByTime(200);
    live.change(2);
    vi.advanceTimersByTime(299);
    expect(pending).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(pending.map((p) => p.input)).toEqual([2]);
    pending[0]!.resolve('two');
    await vi.runAllTimersAsync();
    expect(answers).toEqual(['two']);
    vi.useRealTimers();
  });

  it('drops an older answer that arrives after a newer one', async () => {
    vi.useFakeTimers();
    const { fetch, pending } = controlled();
    const answers: string[] = [];
    let starts = 0;
    const live = liveCount(fetch, { onStart: () => (starts += 1), onAnswer: (a) => answers.push(a), onIdle: () => {} }, 300);
    live.change(1);
    vi.advanceTimersByTime(300);
    live.change(2);
    vi.advanceTimersByTime(300);
    expect(starts).toBe(2);
    pending[1]!.resolve('new');
    await Promise.resolve();
    pending[0]!.resolve('old');
    await vi.runAllTimersAsync();
    expect(answers).toEqual(['new']);
    vi.useRealTimers();
  });

  it('forgets the question when the input stops parsing, and after it is disposed', async () => {
    vi.useFakeTimers();
    const { fetch, pending } = controlled();
    const answers: string[] = [];
    let idle = 0;
    const live = liveCount(fetch, { onStart: () => {}, onAnswer: (a) => answers.push(a), onIdle: () => (idle += 1) }, 300);
    live.change(1);
    vi.advanceTimersByTime(300);
    live.change(null);
    expect(idle).toBe(1);
    pending[0]!.resolve('late');
    await vi.runAllTimersAsync();
    expect(answers).toEqual([]);
    // A change pending when the screen goes is never asked.
    live.change(3);
    live.dispose();
    vi.advanceTimersByTime(1000);
    expect(pending).toHaveLength(1);
    // Retry asks at once.
    const again = liveCount(fetch, { onStart: () => {}, onAnswer: (a) => answers.push(a), onIdle: () => {} }, 300);
    again.change(4);
    again.now();
    expect(pending.map((p) => p.input)).toEqual([1, 4]);
    vi.useRealTimers();
  });
});

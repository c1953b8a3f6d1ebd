// Counting as the criteria change: wait until typing pauses, ask only for a definition that
// parses, and let only the newest request set the answer. The transport cannot cancel a request
// already sent, so an older answer that arrives late is dropped instead.

export interface LiveCount<I> {
  /** The input changed: ask after the pause, or forget the question when it is null. */
  change(input: I | null): void;
  /** Ask now with the last input (Retry), without waiting for a pause. */
  now(): void;
  /** Stop: any timer is cleared and any answer still out is dropped. */
  dispose(): void;
}

export interface LiveCountEvents<O> {
  /** A request went out (show the progress indicator). */
  onStart(): void;
  /** The newest request's answer. */
  onAnswer(answer: O): void;
  /** The input became null: nothing is being asked and any answer out is dropped. */
  onIdle(): void;
}

/**
 * fetch: the request. `delayMs`: the pause after the last change before asking. A timer is
 * passed in for tests.
 */
export function liveCount<I, O>(
  fetch: (input: I) => Promise<O>,
  events: LiveCountEvents<O>,
  delayMs = 300,
  timers: { set: (f: () => void, ms: number) => unknown; clear: (t: unknown) => void } = {
    set: (f, ms) => setTimeout(f, ms),
    clear: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  },
): LiveCount<I> {
  let latest = 0;
  let timer: unknown = null;
  let input: I | null = null;

  function cancelTimer(): void {
    if (timer !== null) timers.clear(timer);
    timer = null;
  }

  async function ask(): Promise<void> {
    cancelTimer();
    if (input === null) return;
    const mine = ++latest;
    events.onStart();
    const answer = await fetch(input);
    if (mine === latest) events.onAnswer(answer);
  }

  return {
    change(next) {
      input = next;
      cancelTimer();
      if (next === null) {
        latest += 1; // an answer still out is for a question no longer asked
        events.onIdle();
        return;
      }
      timer = timers.set(() => void ask(), delayMs);
    },
    now() {
      void ask();
    },
    dispose() {
      cancelTimer();
      latest += 1;
    },
  };
}

// One way for a screen to read from the main process: the answer, the error and whether a
// request is out, kept in step with the screen's input and with the connection.
import { computed, getCurrentScope, onScopeDispose, reactive, ref, shallowRef, watch } from 'vue';
import type { Channel, Input, Output } from '../../../main-api/contract/contract';
import type { ApiError } from '../../../main-api/contract/result';
import { call } from './call';
import { useConnectionStore } from './stores/connection';

/** A query as a screen reads it. Use it whole (`q.data`): destructuring loses reactivity. */
export interface Query<T> {
  /** The answer for the current input; null before it arrives or when it was refused. */
  readonly data: T | null;
  readonly error: ApiError | null;
  readonly loading: boolean;
  /** Asks again with the same input; resolves when this request's reply is in. */
  reload(): Promise<void>;
}

export interface QueryOptions {
  /**
   * Keep the previous input's answer on screen while the next one loads, for an answer that is
   * only refined by the new input (a batch list judged on another date). By default the answer
   * is cleared, so one person's record is never shown under another's.
   */
  keepPreviousData?: boolean;
}

/**
 * Asks `channel` with `input()` now and whenever that input changes (compared by value); a
 * null input means "nothing to ask yet". Only the latest request may set the answer, so a slow
 * earlier reply never overwrites a newer one. Every query asks again when the connection comes
 * back, so a screen that failed during an outage refreshes itself after Retry.
 */
export function useQuery<C extends Channel>(channel: C, input: () => Input<C> | null, options: QueryOptions = {}): Query<Output<C>> {
  const data = shallowRef<Output<C> | null>(null);
  const error = shallowRef<ApiError | null>(null);
  const loading = ref(false);
  const current = computed(() => {
    const value = input();
    return { value, key: value === null ? null : JSON.stringify(value) };
  });
  let latest = 0;

  async function run(): Promise<void> {
    const mine = ++latest;
    const { value } = current.value;
    if (value === null) {
      data.value = null;
      error.value = null;
      loading.value = false;
      return;
    }
    loading.value = true;
    error.value = null;
    const result = await call(channel, value);
    if (mine !== latest) return;
    loading.value = false;
    if (result.ok) {
      data.value = result.value;
      return;
    }
    error.value = result.error;
    // A refusal replaces the answer; a lost connection leaves the last one where it was, under
    // the connection-lost screen, until the reload that follows Retry.
    if (result.error.code !== 'UNAVAILABLE') data.value = null;
  }

  watch(
    () => current.value.key,
    () => {
      if (!options.keepPreviousData) data.value = null;
      void run();
    },
    { immediate: true },
  );

  const connection = useConnectionStore();
  watch(
    () => connection.recoveries,
    () => void run(),
  );

  // A reply that arrives after the screen has gone has nowhere to go.
  if (getCurrentScope()) onScopeDispose(() => (latest += 1));

  const query = reactive({ data, error, loading, reload: run });
  return query as Query<Output<C>>;
}

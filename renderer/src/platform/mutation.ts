// One way for a screen to send a change (or any request made on demand): whether it is under
// way, so a second click or Ctrl+Enter cannot send it twice, and what went wrong.
import { computed, reactive, ref, shallowRef } from 'vue';
import type { Channel, Input, Output } from '../../../main-api/contract/contract';
import type { ApiError } from '../../../main-api/contract/result';
import { call } from './call';
import { fieldErrors } from './form';

export interface Mutation<C extends Channel> {
  readonly pending: boolean;
  readonly error: ApiError | null;
  /** The error's messages by the contract's field names ('occurredOn', 'batch.expiryDate'). */
  readonly fieldErrors: Record<string, string>;
  /** The answer, or undefined when it failed (see `error`) or another run is still out. */
  run(input: Input<C>): Promise<Output<C> | undefined>;
  reset(): void;
}

/**
 * Said when the connection went while a request was out: the change may have been made
 * before the answer was lost, so saving again blindly could record it twice.
 */
export const LOST_MID_REQUEST =
  'The connection was lost before an answer came back. If you were saving, check the record before saving again.';

export function useMutation<C extends Channel>(channel: C): Mutation<C> {
  const pending = ref(false);
  const error = shallowRef<ApiError | null>(null);

  async function run(input: Input<C>): Promise<Output<C> | undefined> {
    if (pending.value) return undefined;
    pending.value = true;
    error.value = null;
    try {
      const result = await call(channel, input);
      if (result.ok) return result.value;
      error.value = result.error.code === 'UNAVAILABLE' ? { code: 'UNAVAILABLE', message: LOST_MID_REQUEST } : result.error;
      return undefined;
    } finally {
      pending.value = false;
    }
  }

  const mutation = reactive({
    pending,
    error,
    fieldErrors: computed(() => fieldErrors(error.value)),
    run,
    reset(): void {
      error.value = null;
    },
  });
  return mutation as Mutation<C>;
}

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

/** Said instead when the request was a form's save: sending it again is safe (see useFormSave). */
export const LOST_MID_SAVE =
  'The connection was lost before an answer came back. Save again: a save that already went through is not recorded twice.';

export function useMutation<C extends Channel>(
  channel: C,
  options: { prepare?: (input: Input<C>) => Input<C>; lost?: string } = {},
): Mutation<C> {
  const pending = ref(false);
  const error = shallowRef<ApiError | null>(null);

  async function run(input: Input<C>): Promise<Output<C> | undefined> {
    if (pending.value) return undefined;
    pending.value = true;
    error.value = null;
    try {
      const result = await call(channel, options.prepare ? options.prepare(input) : input);
      if (result.ok) return result.value;
      error.value = result.error.code === 'UNAVAILABLE' ? { code: 'UNAVAILABLE', message: options.lost ?? LOST_MID_REQUEST } : result.error;
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

/** The channels that save from a form: each takes an idempotency key (main-api/contract/common.ts). */
export type SaveChannel = { [C in Channel]: 'idempotencyKey' extends keyof Input<C> ? C : never }[Channel];

export interface FormSave<C extends SaveChannel> extends Mutation<C> {
  /** Call when the form opens: its saves carry a new key, and the last form's error goes. */
  newForm(): void;
}

/**
 * A form's save: useMutation, with the form's idempotency key added to every request. The key
 * is made when the form opens and kept for every retry of that form (a second click, a resend
 * after a lost connection), so the database records the save once and answers a repeat as it
 * answered the first; the next form gets a new key.
 */
export function useFormSave<C extends SaveChannel>(channel: C): FormSave<C> {
  let key = crypto.randomUUID();
  const mutation = useMutation(channel, { prepare: (input) => ({ ...input, idempotencyKey: key }), lost: LOST_MID_SAVE });
  return Object.assign(mutation, {
    newForm(): void {
      key = crypto.randomUUID();
      mutation.reset();
    },
  });
}

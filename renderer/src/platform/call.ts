// The one helper views and stores use to call the main process. It keeps the
// window-wide states in step: a lost connection or an expired sign-in is noticed here,
// once, instead of by every screen.
import type { Channel, Input, Output } from '../../../main-api/contract/contract';
import type { Result } from '../../../main-api/contract/result';
import { api } from './transport';
import { useConnectionStore } from './stores/connection';
import { useSessionStore } from './stores/session';

export async function call<C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>> {
  const result = await (api[channel] as (i: Input<C>) => Promise<Result<Output<C>>>)(input);
  if (!result.ok) {
    if (result.error.code === 'UNAVAILABLE') {
      useConnectionStore().markLost(result.error.message);
    } else if (result.error.code === 'UNAUTHENTICATED' && channel !== 'session.login' && channel !== 'session.state') {
      // The sign-in ended while a screen was open: ask again what state the session is in.
      void useSessionStore().boot();
    }
  }
  return result;
}

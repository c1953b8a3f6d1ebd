// Builds the one object the renderer sees as `window.ims`: a function per contract channel
// and nothing else (no ipcRenderer, no generic invoke), so the page cannot reach other IPC.
import { channels, type Api } from '../../main-api/contract/contract';
import { ipcName } from '../shared/ipc';

export type Invoke = (ipcChannel: string, input: unknown) => Promise<unknown>;

export function buildApi(invoke: Invoke): Api {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const channel of channels) {
    const name = ipcName(channel);
    // Only the input crosses; `undefined` becomes {} so an argument-less call still validates.
    api[channel] = (input: unknown) => invoke(name, input ?? {});
  }
  return Object.freeze(api) as unknown as Api;
}

// Registers one ipcMain handler per contract channel. Each call is checked at the boundary:
// who sent it (frame, origin, window), then dispatch() parses input and output. Whatever
// happens, the renderer receives a Result; Electron's invoke would strip a thrown error's code.
import { channels, type Handlers } from '../../main-api/contract/contract';
import { fail, type Result } from '../../main-api/contract/result';
import { dispatch, type Logger } from '../../main-api/host/dispatch';
import { ipcName } from '../shared/ipc';
import { isTrustedSender, type SenderFacts } from './security';

/** The parts of Electron's WebFrameMain this module reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

/** The parts of Electron's IpcMainInvokeEvent this module reads. */
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null;
  readonly sender: unknown;
}

/** The parts of Electron's ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  /** Read on every call, so the handlers may be swapped (e.g. wrapped) after registration. */
  handlers: () => Handlers;
  /** Origins the app may be served from (see trustedOrigins in security.ts). */
  origins: readonly string[];
  /** True when the sending web contents belongs to a window this process created. */
  ownsSender: (sender: unknown) => boolean;
  log: Logger;
}

function senderFacts(event: InvokeEventLike, ownsSender: (sender: unknown) => boolean): SenderFacts {
  let frame: FrameLike | null;
  try {
    // Reading senderFrame after the frame navigated away or was destroyed can throw or give null.
    frame = event.senderFrame;
  } catch {
    frame = null;
  }
  let url: string | null = null;
  let isMainFrame = false;
  if (frame) {
    try {
      url = frame.url;
      isMainFrame = frame.parent === null;
    } catch {
      url = null;
    }
  }
  return { frameUrl: url, isMainFrame, isOwnWindow: ownsSender(event.sender) };
}

function createChannelListener(channel: string, options: Omit<IpcOptions, 'ipcMain'>) {
  return async (event: InvokeEventLike, input?: unknown): Promise<Result<unknown>> => {
    try {
      const facts = senderFacts(event, options.ownsSender);
      if (!isTrustedSender(facts, options.origins)) {
        options.log(`Refused ${channel} from an untrusted sender (${facts.frameUrl ?? 'no frame'})`);
        return fail('FORBIDDEN', 'This request did not come from the application window.');
      }
      return await dispatch(options.handlers(), channel, input, options.log);
    } catch (error) {
      options.log(`IPC failure in ${channel}`, error);
      return fail('INTERNAL', 'Something went wrong. The problem has been logged.');
    }
  };
}

/** Registers every contract channel; returns a function that removes them again. */
export function registerIpc(options: IpcOptions): () => void {
  const names: string[] = [];
  for (const channel of channels) {
    const name = ipcName(channel);
    const listener = createChannelListener(channel, options);
    options.ipcMain.handle(name, (event, ...args) => listener(event, args[0]));
    names.push(name);
  }
  return () => {
    for (const name of names) options.ipcMain.removeHandler(name);
  };
}

import { describe, expect, it } from 'vitest';
import { channels, type Handlers } from '../../main-api/contract/contract';
import { AppError } from '../../main-api/contract/result';
import { registerIpc, type FrameLike, type InvokeEventLike, type IpcMainLike } from './ipc';
import { APP_ORIGIN } from './security';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const registered = new Map<string, Listener>();
  const ipcMain: IpcMainLike = {
    handle: (name, listener) => {
      if (registered.has(name)) throw new Error(`second handler for ${name}`);
      registered.set(name, listener);
    },
    removeHandler: (name) => void registered.delete(name),
  };
  return { ipcMain, registered };
}

const ourContents = { id: 1 };
const otherContents = { id: 2 };
const mainFrame = (url: string): FrameLike => ({ url, parent: null });
const event = (frame: FrameLike | null, sender: unknown = ourContents): InvokeEventLike => ({ senderFrame: frame, sender });

function setup(overrides: Partial<Handlers> = {}) {
  const calls: string[] = [];
  const base = {
    'session.state': async () => {
      calls.push('session.state');
      return { state: 'starting', message: 'Starting…', progress: 0.5 };
    },
    'person.open': async () => {
      calls.push('person.open');
      throw new Error('socket hang up at 10.0.0.1');
    },
    'person.search': async () => {
      calls.push('person.search');
      throw new AppError('NOT_FOUND', 'No match');
    },
  } as unknown as Handlers;
  let handlers: Handlers = { ...base, ...overrides };
  const logs: string[] = [];
  const { ipcMain, registered } = fakeIpcMain();
  const dispose = registerIpc({
    ipcMain,
    handlers: () => handlers,
    origins: [APP_ORIGIN],
    ownsSender: (sender) => sender === ourContents,
    log: (m) => logs.push(m),
  });
  const call = (channel: string, ev: InvokeEventLike, ...args: unknown[]) => {
    const listener = registered.get(`ims:${channel}`);
    if (!listener) throw new Error(`no listener for ${channel}`);
    return listener(ev, ...args);
  };
  return { calls, logs, registered, dispose, call, swap: (h: Handlers) => (handlers = h) };
}

describe('registerIpc', () => {
  it('registers exactly one prefixed handler per contract channel, and removes them', () => {
    const { registered, dispose } = setup();
    expect([...registered.keys()].sort()).toEqual(channels.map((c) => `ims:${c}`).sort());
    dispose();
    expect(registered.size).toBe(0);
  });

  it('dispatches calls from the main frame of our window on the app origin', async () => {
    const { call, calls } = setup();
    const result = await call('session.state', event(mainFrame('app://ims/index.html')), {});
    expect(result).toEqual({ ok: true, value: { state: 'starting', message: 'Starting…', progress: 0.5 } });
    expect(calls).toEqual(['session.state']);
  });

  it('refuses iframes, other windows, other origins and vanished frames without running the handler', async () => {
    const { call, calls, logs } = setup();
    const refused = [
      event({ url: 'app://ims/index.html', parent: mainFrame('app://ims/index.html') }),
      event(mainFrame('app://ims/index.html'), otherContents),
      event(mainFrame('https://evil.example/')),
      event(mainFrame('file:///tmp/x.html')),
      event(null),
      {
        get senderFrame(): FrameLike | null {
          throw new Error('frame destroyed');
        },
        sender: ourContents,
      },
    ];
    for (const ev of refused) {
      expect(await call('session.state', ev, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(calls).toEqual([]);
    expect(logs.filter((l) => l.startsWith('Refused session.state'))).toHaveLength(refused.length);
  });

  it('turns every failure into a Result instead of a rejected invoke', async () => {
    const { call } = setup();
    const ev = event(mainFrame('app://ims/'));
    const unexpected = await call('person.open', ev, { id: 3 });
    expect(unexpected).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    // Internal detail (addresses, stack) stays in the log, not in the answer.
    expect(JSON.stringify(unexpected)).not.toContain('10.0.0.1');
    expect(await call('person.search', ev, { text: 'smith' })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No match' } });
    expect(await call('person.open', ev, { id: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('reads the handlers on every call so the host can be replaced', async () => {
    const { call, swap } = setup();
    const ev = event(mainFrame('app://ims/'));
    swap({
      'session.state': async () => ({ state: 'needs-credentials', server: 'db.example:5432', rememberedUser: null }),
    } as unknown as Handlers);
    expect(await call('session.state', ev)).toEqual({
      ok: true,
      value: { state: 'needs-credentials', server: 'db.example:5432', rememberedUser: null },
    });
  });
});

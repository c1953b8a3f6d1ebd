import { describe, expect, it } from 'vitest';
import type { Api } from '../../../main-api/contract/contract';
import { channels } from '../../../main-api/contract/contract';
import { fail, ok } from '../../../main-api/contract/result';
import { TOKEN_KEY, captureLaunchToken, createHttpApi, createIpcApi, selectTransport, tokenFromHash, type HostWindow } from './transport';

function fakeWindow(hash: string, ims?: Api) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  const win: HostWindow = {
    ims,
    location: { hash, pathname: '/', search: '' },
    history: { replaceState: (_d, _u, url) => void replaced.push(String(url)) },
    sessionStorage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
  };
  return { win, store, replaced };
}

interface Sent {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: unknown;
}

/** A stand-in for the network: records each request and answers with the given response. */
function fakeFetch(answer: () => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fn = (async (url: string, init?: RequestInit) => {
    sent.push({
      url,
      method: init?.method,
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)),
    });
    return answer();
  }) as unknown as typeof fetch;
  return { fn, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('launch token', () => {
  it('reads the token from the launch fragment only', () => {
    expect(tokenFromHash('#token=abc123')).toBe('abc123');
    expect(tokenFromHash('token=abc123&x=1')).toBe('abc123');
    expect(tokenFromHash('#/people?token=abc')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
  });

  it('moves the token into session storage and out of the address bar', () => {
    const { win, store, replaced } = fakeWindow('#token=s3cret');
    expect(captureLaunchToken(win)).toBe('s3cret');
    expect(store.get(TOKEN_KEY)).toBe('s3cret');
    expect(replaced).toEqual(['/#/']);
  });

  it('keeps the stored token on reload, when the fragment is a route', () => {
    const { win, store, replaced } = fakeWindow('#/people/4');
    store.set(TOKEN_KEY, 'kept');
    expect(captureLaunchToken(win)).toBe('kept');
    expect(replaced).toEqual([]);
  });
});

describe('transport selection', () => {
  it('uses the preload bridge inside Electron', async () => {
    const calls: unknown[] = [];
    const bridge = Object.fromEntries(
      channels.map((c) => [c, async (input: unknown) => (calls.push([c, input]), ok({ channel: c }))]),
    ) as unknown as Api;
    const { win } = fakeWindow('', bridge);
    const chosen = selectTransport(win);
    expect(chosen.kind).toBe('ipc');
    expect(await chosen.api['person.open']({ id: 7 })).toEqual(ok({ channel: 'person.open' }));
    expect(calls).toEqual([['person.open', { id: 7 }]]);
  });

  it('uses HTTP with the launch token in a browser', async () => {
    const { fn, sent } = fakeFetch(() => json(200, ok({ database: 'ok', latencyMs: 1 })));
    const { win } = fakeWindow('#token=tok-1');
    const chosen = selectTransport(win, fn);
    expect(chosen.kind).toBe('http');
    const result = await chosen.api['health.check']({});
    expect(result).toEqual(ok({ database: 'ok', latencyMs: 1 }));
    expect(sent[0]?.url).toBe('/api/health.check');
    expect(sent[0]?.headers.Authorization).toBe('Bearer tok-1');
  });
});

describe('HTTP transport', () => {
  it('posts the input as JSON and returns the Result from the body', async () => {
    const value = { interpretedAs: 'Surname SMITH', results: [], truncated: false };
    const { fn, sent } = fakeFetch(() => json(200, ok(value)));
    const api = createHttpApi({ getToken: () => 't', fetchFn: fn, baseUrl: 'http://127.0.0.1:4780' });
    expect(await api['person.search']({ text: 'smith' })).toEqual(ok(value));
    expect(sent).toEqual([
      {
        url: 'http://127.0.0.1:4780/api/person.search',
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t' },
        body: { text: 'smith' },
      },
    ]);
  });

  it('passes error Results through, including a rejected token', async () => {
    const { fn } = fakeFetch(() => json(401, fail('UNAUTHENTICATED', 'This link has expired.')));
    const api = createHttpApi({ getToken: () => 'wrong', fetchFn: fn });
    expect(await api['session.state']({})).toEqual(fail('UNAUTHENTICATED', 'This link has expired.'));
  });

  it('sends no Authorization header without a token, and names a bare 401', async () => {
    const { fn, sent } = fakeFetch(() => new Response('no', { status: 401 }));
    const api = createHttpApi({ getToken: () => null, fetchFn: fn });
    const result = await api['session.state']({});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('UNAUTHENTICATED');
    expect(sent[0]?.headers.Authorization).toBeUndefined();
  });

  it('treats a network failure or a gateway error as UNAVAILABLE', async () => {
    const down = createHttpApi({
      getToken: () => 't',
      fetchFn: fakeFetch(() => Promise.reject(new TypeError('Failed to fetch'))).fn,
    });
    const r1 = await down['health.check']({});
    expect(!r1.ok && r1.error.code).toBe('UNAVAILABLE');

    const gateway = createHttpApi({ getToken: () => 't', fetchFn: fakeFetch(() => new Response('', { status: 503 })).fn });
    const r2 = await gateway['health.check']({});
    expect(!r2.ok && r2.error.code).toBe('UNAVAILABLE');
  });

  it('reports an unreadable answer as INTERNAL with the status', async () => {
    const api = createHttpApi({ getToken: () => 't', fetchFn: fakeFetch(() => new Response('<html>', { status: 500 })).fn });
    const r = await api['health.check']({});
    expect(r).toEqual(fail('INTERNAL', 'The application host answered with an unexpected response (HTTP 500).'));
  });
});

describe('IPC transport', () => {
  it('turns a broken bridge into UNAVAILABLE and a malformed answer into INTERNAL', async () => {
    const bridge = {
      'health.check': async () => {
        throw new Error('Error invoking remote method');
      },
      'session.state': async () => 'not a result',
    } as unknown as Api;
    const api = createIpcApi(bridge);
    const r1 = await api['health.check']({});
    expect(!r1.ok && r1.error.code).toBe('UNAVAILABLE');
    const r2 = await api['session.state']({});
    expect(!r2.ok && r2.error.code).toBe('INTERNAL');
    const r3 = await api['person.open']({ id: 1 });
    expect(!r3.ok && r3.error.code).toBe('INTERNAL');
  });
});

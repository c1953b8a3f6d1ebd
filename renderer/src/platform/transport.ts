// The renderer's only way to the main process. Two transports implement the same Api:
// Electron's preload bridge (window.ims) and the loopback HTTP host used by `ims serve`
// and the browser tests. Every call resolves to a Result; nothing here throws.
import { channels, type Api, type Channel } from '../../../main-api/contract/contract';
import { fail, type Result } from '../../../main-api/contract/result';

export const TOKEN_KEY = 'ims.token';

export type TransportKind = 'ipc' | 'http';

type AnyCall = (input: unknown) => Promise<Result<unknown>>;

function buildApi(make: (channel: Channel) => AnyCall): Api {
  const api: Record<string, AnyCall> = {};
  for (const channel of channels) api[channel] = make(channel);
  return api as unknown as Api;
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: unknown };
  if (v.ok === true) return 'value' in value;
  if (v.ok !== false || typeof v.error !== 'object' || v.error === null) return false;
  const e = v.error as { code?: unknown; message?: unknown };
  return typeof e.code === 'string' && typeof e.message === 'string';
}

const HOST_GONE = 'The application host is not responding.';

/** Wraps the preload bridge so a broken IPC pipe still comes back as a Result. */
export function createIpcApi(bridge: Api): Api {
  return buildApi((channel) => async (input) => {
    const fn = (bridge as unknown as Record<string, AnyCall | undefined>)[channel];
    if (typeof fn !== 'function') return fail('INTERNAL', `This version of the application does not offer "${channel}".`);
    try {
      const result = await fn(input);
      return isResult(result) ? result : fail('INTERNAL', 'The application gave an answer that could not be read.');
    } catch {
      return fail('UNAVAILABLE', HOST_GONE);
    }
  });
}

export interface HttpOptions {
  /** Origin and path prefix of the host; '' means the page's own origin. */
  baseUrl?: string;
  getToken: () => string | null;
  fetchFn?: typeof fetch;
}

/** POST /api/<channel> with the bearer token; the body of every answer is a Result. */
export function createHttpApi(options: HttpOptions): Api {
  const base = options.baseUrl ?? '';
  return buildApi((channel) => async (input) => {
    const doFetch = options.fetchFn ?? globalThis.fetch.bind(globalThis);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const token = options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await doFetch(`${base}/api/${channel}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      // fetch rejects only when no answer came at all: the host has stopped.
      return fail('UNAVAILABLE', HOST_GONE);
    }
    const body: unknown = await response.json().catch(() => null);
    if (isResult(body)) return body;
    if (response.status === 401) return fail('UNAUTHENTICATED', 'This link has expired or is not valid.');
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      return fail('UNAVAILABLE', HOST_GONE);
    }
    return fail('INTERNAL', `The application host answered with an unexpected response (HTTP ${response.status}).`);
  });
}

/** The token from a launch URL fragment such as '#token=abc' (other fragment keys ignored). */
export function tokenFromHash(hash: string): string | null {
  const fragment = hash.startsWith('#') ? hash.slice(1) : hash;
  if (fragment.startsWith('/')) return null; // a router path, not a launch fragment
  const token = new URLSearchParams(fragment).get('token');
  return token && token.trim() !== '' ? token.trim() : null;
}

/** The parts of `window` the transport needs; a plain object in tests. */
export interface HostWindow {
  ims?: Api;
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url?: string | null): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/**
 * Moves a launch token from the address bar into sessionStorage, so it is neither left on
 * screen nor lost on reload. Must run before the router reads the fragment.
 */
export function captureLaunchToken(win: HostWindow): string | null {
  const token = tokenFromHash(win.location.hash);
  if (token) {
    win.sessionStorage.setItem(TOKEN_KEY, token);
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}#/`);
    return token;
  }
  return win.sessionStorage.getItem(TOKEN_KEY);
}

export function selectTransport(win: HostWindow, fetchFn?: typeof fetch): { kind: TransportKind; api: Api } {
  if (win.ims) return { kind: 'ipc', api: createIpcApi(win.ims) };
  captureLaunchToken(win);
  return {
    kind: 'http',
    api: createHttpApi({ getToken: () => win.sessionStorage.getItem(TOKEN_KEY), fetchFn }),
  };
}

let selected: { kind: TransportKind; api: Api } | null = null;

function current(): { kind: TransportKind; api: Api } {
  if (!selected) {
    if (typeof window === 'undefined') throw new Error('The transport needs a browser window.');
    selected = selectTransport(window as unknown as HostWindow);
  }
  return selected;
}

/** Chosen on first use, so importing this module never touches `window`. */
export function transportKind(): TransportKind {
  return current().kind;
}

export const api: Api = buildApi((channel) => (input) => {
  const fn = current().api[channel] as AnyCall;
  return fn(input);
});

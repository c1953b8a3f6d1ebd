// The loopback host's transport checks (issue 7), each with what an attacker would send: a web
// page elsewhere (DNS rebinding, another origin, a form or plain-text body, a CORS preflight),
// a process on the same machine without this run's token, and requests built to break the
// server (other methods, oversized headers). None of them reaches a handler.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../contract/contract';
import { startHttpHost, type HttpHost } from './http-server';

const TOKEN = 'transport-test-token-0123456789';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('loopback host transport checks', () => {
  let host: HttpHost;
  let calls = 0;
  const dir = mkdtempSync(join(tmpdir(), 'ims-transport-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>IMS</title>');
  const handlers = {
    'session.state': async () => {
      calls++;
      return { state: 'starting', message: 'Starting', progress: null };
    },
  } as unknown as Handlers;

  beforeAll(async () => {
    host = await startHttpHost({ handlers, rendererDir: dir, token: TOKEN, isReady: () => true });
  });
  afterAll(async () => {
    await host.close();
  });
  beforeEach(() => {
    calls = 0;
  });

  /** A request exactly as given: Host included, which fetch would not let a test choose. */
  function send(options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          method: options.method ?? 'POST',
          path: options.path ?? '/api/session.state',
          headers: options.headers ?? {},
          setHost: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  const here = (): string => `127.0.0.1:${host.port}`;
  /** A well-formed API call, with any header replaced or (as undefined) left out. */
  const api = (over: Record<string, string | undefined> = {}, body = '{}'): Promise<Answer> => {
    const headers: Record<string, string | undefined> = {
      host: here(),
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...over,
    };
    return send({
      headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>,
      body,
    });
  };
  const errorCode = (a: Answer): string | undefined => (JSON.parse(a.body) as { error?: { code: string } }).error?.code;

  it('answers a well-formed call, from its own page or from no page', async () => {
    expect((await api()).status).toBe(200);
    expect((await api({ host: `localhost:${host.port}`, origin: `http://localhost:${host.port}` })).status).toBe(200);
    expect((await api({ origin: `http://${here()}` })).status).toBe(200);
    expect(calls).toBe(3);
  });

  it('refuses other host names (DNS rebinding), for the API and the page alike', async () => {
    for (const name of [
      `evil.example:${host.port}`,
      `127.0.0.1.evil.example:${host.port}`,
      `localhost.evil.example:${host.port}`,
      '127.0.0.1',
      `127.0.0.1:${host.port + 1}`,
      `[::1]:${host.port}`,
      `0.0.0.0:${host.port}`,
      '',
    ]) {
      expect((await api({ host: name })).status, name).toBe(421);
      expect((await send({ method: 'GET', path: '/', headers: { host: name } })).status, name).toBe(421);
    }
    // HTTP/1.1 without a Host header at all.
    expect((await send({ headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } })).status).not.toBe(200);
    expect(calls).toBe(0);
  });

  it('refuses calls from another origin: other sites, schemes and ports, and opaque origins', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      '',
      `https://${here()}`,
      `http://${here()}.evil.example`,
      `http://127.0.0.1:${host.port + 1}`,
      `file://`,
      `http://${here()}/`,
    ]) {
      const answer = await api({ origin });
      expect(answer.status, origin).toBe(403);
      expect(errorCode(answer)).toBe('FORBIDDEN');
    }
    expect(calls).toBe(0);
  });

  it('refuses calls without exactly this run’s token, wherever else it is put', async () => {
    const refusals: Array<[string, Record<string, string | undefined>, string?]> = [
      ['no authorization', { authorization: undefined }],
      ['an empty bearer', { authorization: 'Bearer ' }],
      ['a wrong token', { authorization: 'Bearer wrong' }],
      ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
      ['the token and more', { authorization: `Bearer ${TOKEN}x` }],
      ['another scheme', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }],
      ['the scheme in lower case', { authorization: `bearer ${TOKEN}` }],
      ['the token alone', { authorization: TOKEN }],
      ['the token in a cookie', { authorization: undefined, cookie: `token=${TOKEN}` }],
    ];
    for (const [what, headers] of refusals) {
      const answer = await api(headers);
      expect(answer.status, what).toBe(401);
      expect(errorCode(answer), what).toBe('UNAUTHENTICATED');
    }
    const inQuery = await send({
      path: `/api/session.state?token=${TOKEN}`,
      headers: { host: here(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(inQuery.status).toBe(401);
    expect(calls).toBe(0);
  });

  it('takes API calls by POST only, and answers the others with a Result', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await send({ method, headers: { host: here(), authorization: `Bearer ${TOKEN}` } });
      expect(answer.status, method).toBe(405);
      expect(errorCode(answer), method).toBe('VALIDATION');
    }
    expect((await send({ method: 'HEAD', headers: { host: here(), authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    // The page is read-only.
    expect((await send({ method: 'POST', path: '/', headers: { host: here() } })).status).toBe(405);
    expect(calls).toBe(0);
  });

  it('takes only JSON bodies: forms and plain text, which another site can send unasked, are refused', async () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'application/json-patch+json',
      'text/json',
    ]) {
      const answer = await api({ 'content-type': type });
      expect(answer.status, String(type)).toBe(415);
      expect(errorCode(answer), String(type)).toBe('VALIDATION');
    }
    expect(calls).toBe(0);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      expect((await api({ 'content-type': type })).status, type).toBe(200);
    }
  });

  it('allows no other site in: a CORS preflight gets no permission, and no answer carries one', async () => {
    const preflight = await send({
      method: 'OPTIONS',
      headers: {
        host: here(),
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    const answers = [
      preflight,
      await api(),
      await api({ origin: 'http://evil.example' }),
      await send({ method: 'GET', path: '/', headers: { host: here() } }),
    ];
    for (const a of answers) {
      expect(Object.keys(a.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('sets no cookies, and marks API answers as JSON that is not to be cached or sniffed', async () => {
    const page = await send({ method: 'GET', path: '/', headers: { host: here() } });
    const answer = await api();
    const refused = await api({ authorization: undefined });
    for (const a of [page, answer, refused]) expect(a.headers['set-cookie']).toBeUndefined();
    for (const a of [answer, refused]) {
      expect(a.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(a.headers['cache-control']).toBe('no-store');
      expect(a.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('answers oversized headers with 431 and goes on answering', async () => {
    const answer = await api({ 'x-padding': 'x'.repeat(64 * 1024) });
    expect(answer.status).toBe(431);
    expect(calls).toBe(0);
    expect((await api()).status).toBe(200);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers } from '../contract/contract';
import { AppError } from '../contract/result';
import { startHttpHost, staticFile, tokensMatch, type HttpHost } from './http-server';

describe('staticFile', () => {
  it('maps paths inside the root and refuses traversal', () => {
    expect(staticFile('/srv/app', '/')).toBe('/srv/app/index.html');
    expect(staticFile('/srv/app', '/assets/a.js?v=1')).toBe('/srv/app/assets/a.js');
    expect(staticFile('/srv/app', '/../etc/passwd')).toBeNull();
    expect(staticFile('/srv/app', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(staticFile('/srv/app', '/a%00b')).toBeNull();
    expect(staticFile('/srv/app', '/%E0%A4%A')).toBeNull();
  });
});

describe('tokensMatch', () => {
  it('compares exactly', () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abc', 'abd')).toBe(false);
    expect(tokensMatch('abc', 'ab')).toBe(false);
    expect(tokensMatch('abc', undefined)).toBe(false);
  });
});

describe('loopback host', () => {
  let host: HttpHost;
  const dir = mkdtempSync(join(tmpdir(), 'ims-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>IMS</title>');
  const handlers = {
    'session.state': async () => ({ state: 'starting', message: 'Starting', progress: 0.5 }),
    'person.search': async () => {
      throw new AppError('VALIDATION', 'Type at least two letters of a surname.');
    },
  } as unknown as Handlers;

  beforeAll(async () => {
    host = await startHttpHost({ handlers, rendererDir: dir, token: 'test-token', isReady: () => true });
  });
  afterAll(async () => {
    await host.close();
  });

  const call = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${host.port}/api/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-token', ...headers },
      body: JSON.stringify(body),
    });

  it('listens on loopback and prints a URL with the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#token=test-token`);
    const address = host.server.address();
    expect(typeof address === 'object' && address?.address).toBe('127.0.0.1');
  });

  it('answers a contract call with a Result', async () => {
    const res = await call('session.state', {});
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, value: { state: 'starting', message: 'Starting', progress: 0.5 } });
  });

  it('carries service errors as values with their code', async () => {
    const res = await call('person.search', { text: 'x' });
    expect(await res.json()).toEqual({ ok: false, error: { code: 'VALIDATION', message: 'Type at least two letters of a surname.' } });
  });

  it('refuses calls without the token', async () => {
    const res = await call('session.state', {}, { authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses input that does not match the contract', async () => {
    const res = await call('person.search', { text: 42 });
    expect((await res.json()).error.code).toBe('VALIDATION');
  });

  it('refuses unknown channels and other origins', async () => {
    expect((await (await call('no.such', {})).json()).error.code).toBe('VALIDATION');
    const res = await call('session.state', {}, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });

  it('answers an oversized body with 413 instead of dropping the connection', async () => {
    const res = await call('session.state', { padding: 'x'.repeat(3 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/too large/) });
    // The host goes on answering.
    expect((await call('session.state', {})).status).toBe(200);
  });

  it('answers an oversized body sent without a length (chunked) with 413 too', async () => {
    // A stream body goes chunked, with no content-length: the host reads it to its end first.
    const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 3) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`http://127.0.0.1:${host.port}/api/session.state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-token' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/too large/) });
    expect((await call('session.state', {})).status).toBe(200);
  });

  it('answers a malformed escape in a channel name as an unknown channel, not a failure', async () => {
    const res = await call('session.%E0%A4%A', {});
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('NOT_FOUND');
  });

  it('serves the renderer with a Content-Security-Policy', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/people/12`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<title>IMS</title>');
  });
});

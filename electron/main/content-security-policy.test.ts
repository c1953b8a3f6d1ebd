// One policy, three carriers: the app:// header, the loopback HTTP header and the page's own
// <meta> tag written at build time. Each is read from what it actually serves or produces.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin } from 'vite';
import config from '../../electron.vite.config';
import type { Handlers } from '../../main-api/contract/contract';
import { startHttpHost, type HttpHost } from '../../main-api/host/http-server';
import { CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_META } from '../../main-api/platform/csp';
import { createAppFileHandler } from './app-protocol';

const root = resolve(import.meta.dirname, '../..');

/** index.html as the renderer build's CSP plugin leaves it. */
function builtPage(): string {
  const plugins = (config.renderer?.plugins ?? []).flat() as Plugin[];
  const plugin = plugins.find((p) => p?.name === 'ims-content-security-policy');
  const hook = plugin?.transformIndexHtml;
  if (!hook || typeof hook === 'function') throw new Error('The renderer build has no Content-Security-Policy plugin.');
  const source = readFileSync(join(root, 'renderer/index.html'), 'utf8');
  return (hook.handler as (html: string) => string)(source);
}

function metaPolicy(html: string): string | undefined {
  return /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
}

const directives = (policy: string) => policy.split('; ');

describe('Content-Security-Policy', () => {
  let dir: string;
  let page: string;
  let http: HttpHost;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ims-csp-'));
    page = builtPage();
    writeFileSync(join(dir, 'index.html'), page);
    http = await startHttpHost({ handlers: {} as Handlers, rendererDir: dir, token: 'test-token', isReady: () => true });
  });

  afterAll(async () => {
    await http.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the same on app://, over HTTP and in the built page', async () => {
    const overHttp = await fetch(`http://127.0.0.1:${http.port}/`);
    const overApp = await createAppFileHandler(dir)(new Request('app://ims/'));
    expect(overHttp.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(overApp.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(metaPolicy(await overHttp.text())).toBe(CONTENT_SECURITY_POLICY_META);
    expect(metaPolicy(await overApp.text())).toBe(CONTENT_SECURITY_POLICY_META);
  });

  it('differs in the page only by what a meta tag cannot carry', () => {
    const headerOnly = directives(CONTENT_SECURITY_POLICY).filter((d) => !directives(CONTENT_SECURITY_POLICY_META).includes(d));
    expect(headerOnly).toEqual(["frame-ancestors 'none'"]);
    expect(directives(CONTENT_SECURITY_POLICY)).toEqual(expect.arrayContaining(directives(CONTENT_SECURITY_POLICY_META)));
  });

  it('keeps scripts to the app itself and comes before anything the page loads', () => {
    expect(directives(CONTENT_SECURITY_POLICY)).toContain("script-src 'self'");
    expect(directives(CONTENT_SECURITY_POLICY)).toContain("object-src 'none'");
    expect(page).not.toContain('%IMS_CONTENT_SECURITY_POLICY%');
    // A meta policy governs only what is parsed after it.
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<script'));
  });
});

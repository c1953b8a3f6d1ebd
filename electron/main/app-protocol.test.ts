import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppFileHandler } from './app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../main-api/platform/csp';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'ims-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>IMS</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  // A file next to the renderer folder that must never be served.
  writeFileSync(join(base, 'secret.txt'), 'do not serve');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => createAppFileHandler(root)(new Request(url, { method }));

describe('app:// file handler', () => {
  it('serves renderer files with type, CSP and nosniff headers', async () => {
    const res = await get('app://ims/assets/app.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('console.log(1)');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves index.html for the entry and client-side routes', async () => {
    for (const url of ['app://ims/', 'app://ims/index.html', 'app://ims/people/12']) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(await res.text()).toContain('<title>IMS</title>');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('does not serve files outside the renderer folder', async () => {
    for (const url of [
      'app://ims/..%2fsecret.txt',
      'app://ims/..%5csecret.txt',
      'app://ims/%2e%2e/secret.txt',
      'app://ims/../secret.txt',
    ]) {
      const res = await get(url);
      expect(res.status, url).not.toBe(200);
      expect(await res.text()).not.toContain('do not serve');
    }
  });

  it('answers 404 for missing files and directories, 403 for other hosts, 405 for writes', async () => {
    expect((await get('app://ims/assets/missing.js')).status).toBe(404);
    expect((await get('app://ims/assets.d/x.css')).status).toBe(404);
    expect((await get('app://elsewhere/index.html')).status).toBe(403);
    expect((await get('app://ims/index.html', 'POST')).status).toBe(405);
    const head = await get('app://ims/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

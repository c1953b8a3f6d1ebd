import { join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  isAllowedExternal,
  isAppUrl,
  isTrustedSender,
  isTrustedUrl,
  mimeType,
  originOf,
  resolveAppFile,
  trustedOrigins,
} from './security';

const root = resolve('/srv/ims/out/renderer');

/** A URL check against the lists it must accept and refuse: a failure names the URLs it got wrong. */
function expectAcceptsOnly(check: (url: string) => boolean, accepted: string[], refused: string[]): void {
  expect(accepted.filter((url) => !check(url))).toEqual([]);
  expect(refused.filter((url) => check(url))).toEqual([]);
}

describe('isAppUrl', () => {
  it('accepts the app scheme and host only', () => {
    expectAcceptsOnly(
      isAppUrl,
      ['app://ims/index.html', 'app://ims/#/people/3', 'APP://IMS/index.html'],
      [
        'app://other/index.html',
        'app://user:pw@ims/index.html',
        'file:///srv/ims/out/renderer/index.html',
        'https://ims/index.html',
        'not a url',
      ],
    );
  });
});

describe('trusted origins', () => {
  it('adds a loopback dev server only in development', () => {
    expect(trustedOrigins('http://localhost:5173/', false)).toEqual([APP_ORIGIN, 'http://localhost:5173']);
    expect(trustedOrigins('http://localhost:5173/', true)).toEqual([APP_ORIGIN]);
    expect(trustedOrigins('http://evil.example:5173/', false)).toEqual([APP_ORIGIN]);
    expect(trustedOrigins(undefined, false)).toEqual([APP_ORIGIN]);
  });

  it('matches whole origins, not prefixes', () => {
    const origins = trustedOrigins('http://localhost:5173', false);
    expect(isTrustedUrl('http://localhost:5173/#/search', origins)).toBe(true);
    expect(isTrustedUrl('http://localhost:5174/', origins)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173.evil.example/', origins)).toBe(false);
    expect(isTrustedUrl('https://localhost:5173/', origins)).toBe(false);
    expect(isTrustedUrl('app://ims/index.html', [APP_ORIGIN])).toBe(true);
    expect(isTrustedUrl('app://imsx/index.html', [APP_ORIGIN])).toBe(false);
    expect(isTrustedUrl('about:blank', origins)).toBe(false);
  });

  it('derives an origin for the custom scheme', () => {
    expect(originOf('app://ims/a/b.js')).toBe('app://ims');
    expect(originOf('https://www.nhs.uk/x')).toBe('https://www.nhs.uk');
    expect(originOf('data:text/html,hi')).toBeNull();
  });
});

describe('isAllowedExternal', () => {
  it('opens only https links to listed hosts', () => {
    expectAcceptsOnly(
      isAllowedExternal,
      [
        'https://www.nhs.uk/vaccinations/',
        'https://www.gov.uk/government/collections/immunisation-against-infectious-disease-the-green-book',
      ],
      [
        'http://www.nhs.uk/',
        'https://www.nhs.uk.evil.example/',
        'https://evil.example/?www.nhs.uk',
        'https://user@www.nhs.uk/',
        'https://www.nhs.uk:8443/',
        'file:///etc/passwd',
        'javascript:alert(1)',
        'smb://server/share',
      ],
    );
  });
});

describe('resolveAppFile', () => {
  it('maps files under the root', () => {
    expect(resolveAppFile('app://ims/assets/index-abc.js', root)).toEqual({
      ok: true,
      path: join(root, 'assets', 'index-abc.js'),
      spaFallback: false,
    });
    expect(resolveAppFile('app://ims/assets/my%20font.woff2?v=1#x', root)).toEqual({
      ok: true,
      path: join(root, 'assets', 'my font.woff2'),
      spaFallback: false,
    });
  });

  it('serves index.html for the root and client-side routes', () => {
    expect(resolveAppFile('app://ims/', root)).toEqual({ ok: true, path: join(root, 'index.html'), spaFallback: true });
    expect(resolveAppFile('app://ims/people/42', root)).toEqual({ ok: true, path: join(root, 'index.html'), spaFallback: true });
  });

  it('never resolves outside the root, however the path is spelt', () => {
    const attempts = [
      'app://ims/../../etc/passwd.txt',
      'app://ims/%2e%2e/%2e%2e/etc/passwd',
      'app://ims/assets/%2E%2E/%2E%2E/secret.txt',
      'app://ims/..%2f..%2fsecret.txt',
      'app://ims/..%5c..%5csecret.txt',
      'app://ims/assets/%5c..%5c..%5csecret.txt',
      'app://ims/C:%5cWindows%5cwin.ini',
      'app://ims/%2fetc%2fpasswd.txt',
    ];
    for (const url of attempts) {
      const r = resolveAppFile(url, root);
      if (r.ok) expect(r.path.startsWith(root + sep), url).toBe(true);
    }
  });

  it('refuses encoded separators that would climb out', () => {
    // The URL parser collapses literal and %2e dot segments itself; encoded slashes survive it.
    for (const url of ['app://ims/..%2f..%2fsecret.txt', 'app://ims/..%5c..%5csecret.txt', 'app://ims/assets/%5c..%5c..%5csecret.txt']) {
      expect(resolveAppFile(url, root), url).toMatchObject({ ok: false, status: 403 });
    }
    expect(resolveAppFile('app://ims/C:%5cWindows%5cwin.ini', root)).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses other hosts, schemes, NUL and bad encoding', () => {
    expect(resolveAppFile('app://other/index.html', root)).toMatchObject({ ok: false, status: 403 });
    expect(resolveAppFile('file:///etc/passwd', root)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppFile('app://ims/a%00.js', root)).toMatchObject({ ok: false, status: 400 });
    expect(resolveAppFile('app://ims/%E0%A4%A.js', root)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('mimeType', () => {
  it('knows the renderer asset types', () => {
    expect(mimeType('a/index.html')).toMatch(/^text\/html/);
    expect(mimeType('a/x.JS')).toMatch(/^text\/javascript/);
    expect(mimeType('a/f.woff2')).toBe('font/woff2');
    expect(mimeType('a/blob.bin')).toBe('application/octet-stream');
  });
});

describe('isTrustedSender', () => {
  const origins = [APP_ORIGIN];
  it('requires a live main frame of our own window on a trusted origin', () => {
    expect(isTrustedSender({ frameUrl: 'app://ims/index.html', isMainFrame: true, isOwnWindow: true }, origins)).toBe(true);
    expect(isTrustedSender({ frameUrl: null, isMainFrame: true, isOwnWindow: true }, origins)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://ims/index.html', isMainFrame: false, isOwnWindow: true }, origins)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'app://ims/index.html', isMainFrame: true, isOwnWindow: false }, origins)).toBe(false);
    expect(isTrustedSender({ frameUrl: 'https://evil.example/', isMainFrame: true, isOwnWindow: true }, origins)).toBe(false);
  });
});

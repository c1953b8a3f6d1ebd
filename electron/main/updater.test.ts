import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CHECK_INTERVAL_MS,
  decideUpdates,
  isAcceptableFeed,
  policyFileCandidates,
  readPolicy,
  runUpdates,
  type UpdaterLike,
} from './updater';

const FEED = 'https://updates.example.nhs.uk/ims/';
const policy = (p: unknown) => ({ path: '/etc/ims/update-policy.json', policy: p });

describe('decideUpdates', () => {
  it('is off by default, and always off in development', () => {
    expect(decideUpdates({ isPackaged: true, env: {}, policy: null }).enabled).toBe(false);
    expect(
      decideUpdates({ isPackaged: false, env: { IMS_UPDATE_URL: FEED }, policy: policy({ updates: 'enabled', feedUrl: FEED }) }).enabled,
    ).toBe(false);
  });

  it('follows IMS_UPDATE_URL when there is no machine policy', () => {
    expect(decideUpdates({ isPackaged: true, env: { IMS_UPDATE_URL: FEED }, policy: null })).toMatchObject({
      enabled: true,
      feedUrl: FEED,
      source: 'environment',
      intervalMs: DEFAULT_CHECK_INTERVAL_MS,
    });
    expect(decideUpdates({ isPackaged: true, env: { IMS_UPDATE_URL: 'http://updates.example/' }, policy: null }).enabled).toBe(false);
    expect(decideUpdates({ isPackaged: true, env: { IMS_UPDATE_URL: '  ' }, policy: null }).enabled).toBe(false);
  });

  it('lets a machine policy override the environment in both directions', () => {
    expect(decideUpdates({ isPackaged: true, env: { IMS_UPDATE_URL: FEED }, policy: policy({ updates: 'disabled' }) })).toMatchObject({
      enabled: false,
    });
    const other = 'https://mirror.trust.nhs.uk/ims/';
    expect(
      decideUpdates({
        isPackaged: true,
        env: { IMS_UPDATE_URL: FEED },
        policy: policy({ updates: 'enabled', feedUrl: other, checkIntervalHours: 24 }),
      }),
    ).toMatchObject({
      enabled: true,
      feedUrl: other,
      source: 'machine-policy',
      intervalMs: 24 * 3600_000,
    });
  });

  it('fails closed on a broken or incomplete machine policy', () => {
    const env = { IMS_UPDATE_URL: FEED };
    for (const p of [
      { path: '/etc/ims/update-policy.json', error: 'is not valid JSON' },
      policy(null),
      policy({}),
      policy({ updates: 'yes' }),
      policy({ updates: 'enabled' }),
      policy({ updates: 'enabled', feedUrl: 'ftp://x/' }),
    ]) {
      expect(decideUpdates({ isPackaged: true, env, policy: p }).enabled, JSON.stringify(p)).toBe(false);
    }
  });

  it('ignores silly intervals', () => {
    const d = decideUpdates({
      isPackaged: true,
      env: {},
      policy: policy({ updates: 'enabled', feedUrl: FEED, checkIntervalHours: 0.001 }),
    });
    expect(d).toMatchObject({ enabled: true, intervalMs: DEFAULT_CHECK_INTERVAL_MS });
  });
});

describe('feeds and policy files', () => {
  it('accepts HTTPS feeds, and HTTP only on this machine', () => {
    expect(isAcceptableFeed(FEED)).toBe(true);
    expect(isAcceptableFeed('http://localhost:8080/feed/')).toBe(true);
    expect(isAcceptableFeed('http://updates.example/')).toBe(false);
    expect(isAcceptableFeed('https://user:pw@updates.example/')).toBe(false);
    expect(isAcceptableFeed('nonsense')).toBe(false);
  });

  it('looks in machine-wide places, then beside the resources', () => {
    expect(policyFileCandidates('linux', {}, '/opt/IMS/resources')).toEqual([
      '/etc/ims/update-policy.json',
      join('/opt/IMS/resources', 'update-policy.json'),
    ]);
    expect(policyFileCandidates('win32', { ProgramData: 'D:\\PD' })[0]).toBe(join('D:\\PD', 'IMS', 'update-policy.json'));
    expect(policyFileCandidates('darwin', {})[0]).toBe(join('/Library', 'Application Support', 'IMS', 'update-policy.json'));
  });

  it('reads the first existing file and reports unreadable ones', () => {
    const files: Record<string, string> = { '/b': '{"updates":"disabled"}', '/c': '{"updates":"enabled"}' };
    const read = (p: string) => {
      const text = files[p];
      if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return text;
    };
    expect(readPolicy(['/a', '/b', '/c'], read)).toEqual({ path: '/b', policy: { updates: 'disabled' } });
    expect(readPolicy(['/a'], read)).toBeNull();
    expect(readPolicy(['/bad'], () => '{')).toEqual({ path: '/bad', error: 'is not valid JSON' });
    expect(
      readPolicy(['/locked'], () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      }),
    ).toMatchObject({ path: '/locked', error: expect.stringContaining('cannot be read') });
  });
});

describe('runUpdates', () => {
  it('checks at once and on the interval, downloads in the background, installs on quit, and stops', async () => {
    const events: Record<string, (arg: never) => void> = {};
    let checks = 0;
    const updater: UpdaterLike & { feed?: unknown } = {
      autoDownload: false,
      autoInstallOnAppQuit: false,
      setFeedURL(options) {
        this.feed = options;
      },
      checkForUpdates: async () => {
        checks++;
        if (checks === 2) throw new Error('offline');
        return null;
      },
      on: (event: string, listener: (arg: never) => void) => {
        events[event] = listener;
      },
    };
    let tick: (() => void) | null = null;
    let cleared = false;
    const logs: string[] = [];
    const stop = runUpdates(
      updater,
      { enabled: true, feedUrl: FEED, source: 'environment', intervalMs: 1234, detail: '' },
      (m) => logs.push(m),
      {
        setInterval: (fn, ms) => {
          expect(ms).toBe(1234);
          tick = fn;
          return 7;
        },
        clearInterval: (handle) => {
          expect(handle).toBe(7);
          cleared = true;
        },
      },
    );
    expect(updater.feed).toEqual({ provider: 'generic', url: FEED });
    expect(updater.autoDownload).toBe(true);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    expect(checks).toBe(1);
    tick!();
    await new Promise((r) => setImmediate(r));
    expect(checks).toBe(2);
    expect(logs).toContain('Update check failed');
    events['update-downloaded']!({ version: '0.2.0' } as never);
    expect(logs.some((l) => l.includes('0.2.0'))).toBe(true);
    stop();
    expect(cleared).toBe(true);
  });
});

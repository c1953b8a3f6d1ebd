import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL } from './security';
import { chooseDataDir, chooseEntryUrl, withTimeout } from './startup';

describe('start-up choices', () => {
  it('keeps data in IMS_DATA_DIR when set, else in the user data folder', () => {
    expect(chooseDataDir({ IMS_DATA_DIR: '/srv/ims-data' }, '/home/jo/.config/IMS')).toBe('/srv/ims-data');
    expect(chooseDataDir({ IMS_DATA_DIR: ' ' }, '/home/jo/.config/IMS')).toBe('/home/jo/.config/IMS');
    expect(chooseDataDir({}, '/home/jo/.config/IMS')).toBe('/home/jo/.config/IMS');
  });

  it('loads the dev server only in development', () => {
    expect(chooseEntryUrl({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toBe('http://localhost:5173');
    expect(chooseEntryUrl({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toBe(APP_ENTRY_URL);
    expect(chooseEntryUrl({}, false)).toBe('app://ims/index.html');
  });

  it('gives up waiting after the timeout, and does not wait for it when the work finishes', async () => {
    expect(await withTimeout(new Promise(() => {}), 20)).toBe('timeout');
    expect(await withTimeout(Promise.reject(new Error('x')), 10_000)).toBe('done');
    const started = Date.now();
    expect(await withTimeout(Promise.resolve(), 10_000)).toBe('done');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

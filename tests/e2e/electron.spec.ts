// Smoke test of the real Electron shell. Electron's binary cannot be downloaded on every
// machine, so this runs only when IMS_ELECTRON_BINARY names one (after `npm run build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { channels } from '../../main-api/contract/contract';

const binary = process.env.IMS_ELECTRON_BINARY;
test.skip(!binary, 'IMS_ELECTRON_BINARY is not set: no Electron binary to launch on this machine');

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ims-electron-e2e-'));
  app = await electron.launch({
    executablePath: binary!,
    args: [fileURLToPath(new URL('../..', import.meta.url))],
    env: { ...process.env, IMS_DATA_DIR: dataDir, ELECTRON_RENDERER_URL: '' },
    timeout: 60_000,
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('loads the renderer from app:// with no Node in the page', async () => {
  expect(page.url()).toMatch(/^app:\/\/ims\//);
  const globals = await page.evaluate(() => ({
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
    ims: Object.keys((window as unknown as { ims: object }).ims).sort(),
  }));
  expect(globals.require).toBe('undefined');
  expect(globals.process).toBe('undefined');
  expect(globals.ims).toEqual([...channels].sort());
});

test('answers session.state through the preload and sends the CSP header', async () => {
  const state = await page.evaluate(() =>
    (window as unknown as { ims: Record<string, (i: unknown) => Promise<unknown>> }).ims['session.state']!({}),
  );
  expect(state).toMatchObject({ ok: true });
  const csp = await page.evaluate(async () => (await fetch('app://ims/index.html')).headers.get('content-security-policy'));
  expect(csp).toContain("script-src 'self'");
});

test('refuses to navigate away from the app', async () => {
  await page.evaluate(() => {
    window.location.href = 'https://example.invalid/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toMatch(/^app:\/\/ims\//);
  expect(app.windows()).toHaveLength(1);
});

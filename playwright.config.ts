// End-to-end tests: the built renderer (out/renderer) in Debian's Chromium, served with the
// real contract by `ims serve` on a fresh embedded database holding a small demo region.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

// Before env.ts is read: a port in a quiet high range unless one is given.
process.env.IMS_E2E_PORT ??= String(20_000 + Math.floor(Math.random() * 20_000));
const { E2E_PORT, E2E_TOKEN, E2E_URL, E2E_UNREACHABLE_PORT, E2E_UNREACHABLE_URL } = await import('./tests/e2e/env');

const RUNNER_FILE = 'runner.pid';

/** Specs whose changes reach every other journey: run alone, after the others. */
const WHOLE_SYSTEM = [/rules\.spec\.ts$/, /shell-connection\.spec\.ts$/];

// The config is loaded by the runner and again by each worker; workers inherit the runner's
// environment, so only the runner makes (and tidies) data folders.
if (!process.env.IMS_E2E_DATA_DIR) {
  for (const name of readdirSync(tmpdir())) {
    const dir = join(tmpdir(), name);
    // A finished run's folder: its runner has exited and its database has shut down
    // (PostgreSQL removes its pid file). Another run going on at the same time keeps its own.
    if (name.startsWith('ims-e2e-') && !runnerAlive(dir) && !existsSync(join(dir, 'pgdata', 'postmaster.pid'))) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.env.IMS_E2E_DATA_DIR = mkdtempSync(join(tmpdir(), 'ims-e2e-'));
  writeFileSync(join(process.env.IMS_E2E_DATA_DIR, RUNNER_FILE), String(process.pid));
}

/** Whether the test runner that made a data folder is still running. */
function runnerAlive(dir: string): boolean {
  const pid = Number(existsSync(join(dir, RUNNER_FILE)) ? readFileSync(join(dir, RUNNER_FILE), 'utf8') : NaN);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0 only asks whether the process exists
    return true;
  } catch {
    return false;
  }
}

/** `ims serve` on a port, ready when it answers /healthz; its errors show in the test output. */
function imsHost(port: number | string, url: string, timeout: number, env: Record<string, string | undefined>) {
  return {
    command: `npx tsx main-api/cli/ims.ts serve --port ${port}`,
    url: `${url}/healthz`,
    timeout,
    reuseExistingServer: false,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: { IMS_SERVE_TOKEN: E2E_TOKEN, ...env } as Record<string, string>,
  };
}

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  // Two browsers at once: the journeys wait on the application far more than they use a core.
  // Specs that change the whole system (the rule files in force, the database going away) run
  // on their own after the rest, so no journey sees them half-way.
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: E2E_URL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-gpu',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'journeys', testIgnore: WHOLE_SYSTEM },
    { name: 'whole-system', testMatch: WHOLE_SYSTEM, dependencies: ['journeys'], workers: 1 },
  ],
  webServer: [
    imsHost(E2E_PORT, E2E_URL, 180_000, {
      IMS_DATA_DIR: process.env.IMS_E2E_DATA_DIR,
      IMS_DEMO_PERSONS: '3000',
      // Produced letters stay inside the run's own folder.
      IMS_LETTERS_DIR: join(process.env.IMS_E2E_DATA_DIR, 'letters'),
      // Sending settings (and their key file) of this run only, saved by the sending spec.
      IMS_SENDING_DIR: join(process.env.IMS_E2E_DATA_DIR, 'sending'),
    }),
    // A host whose database cannot be reached: the start-failure screen, never a blank window.
    imsHost(E2E_UNREACHABLE_PORT, E2E_UNREACHABLE_URL, 60_000, {
      IMS_DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:9/ims',
    }),
  ],
});

// Application updates. OFF unless a policy allows them.
//
// Managed NHS workstations control software centrally (Intune / SCCM / Group Policy push a
// tested MSI or per-machine NSIS build); an application that updates itself there would bypass
// change control and fail anyway without admin rights. So the app only updates itself when:
//   1. a machine policy file, writable only by administrators, says so and names the feed; or
//   2. there is no machine policy and the IMS_UPDATE_URL environment variable names a feed
//      (for small teams on unmanaged machines).
// A machine policy always wins over the environment, so users cannot switch updates back on.
// MSI installs are never updated by electron-updater: ship a policy with "updates": "disabled".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const UPDATE_POLICY_FILE = 'update-policy.json';
export const DEFAULT_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

/** Contents of update-policy.json (see resources/build/update-policy.json). */
interface UpdatePolicy {
  updates: 'enabled' | 'disabled';
  feedUrl?: string;
  checkIntervalHours?: number;
}

export type PolicyRead = { path: string; policy: unknown } | { path: string; error: string };

export type UpdateDecision =
  | { enabled: true; feedUrl: string; source: 'machine-policy' | 'environment'; intervalMs: number; detail: string }
  | { enabled: false; detail: string };

/** Where a machine policy may live; all are writable only by administrators on a managed machine. */
export function policyFileCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, resourcesPath?: string): string[] {
  const paths: string[] = [];
  if (platform === 'win32') {
    paths.push(join(env.ProgramData ?? 'C:\\ProgramData', 'IMS', UPDATE_POLICY_FILE));
  } else if (platform === 'darwin') {
    paths.push(join('/Library', 'Application Support', 'IMS', UPDATE_POLICY_FILE));
  } else {
    paths.push(join('/etc', 'ims', UPDATE_POLICY_FILE));
  }
  // A per-machine installer may carry the policy next to the application's resources.
  if (resourcesPath) paths.push(join(resourcesPath, UPDATE_POLICY_FILE));
  return paths;
}

/** Reads the first policy file that exists. */
export function readPolicy(
  candidates: readonly string[],
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): PolicyRead | null {
  for (const path of candidates) {
    let text: string;
    try {
      text = read(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return { path, error: `cannot be read (${(error as Error).message})` };
    }
    try {
      return { path, policy: JSON.parse(text) as unknown };
    } catch {
      return { path, error: 'is not valid JSON' };
    }
  }
  return null;
}

/** Feeds must be HTTPS; plain HTTP only to this machine, for testing a local feed. */
export function isAcceptableFeed(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
}

function intervalFrom(hours: unknown): number {
  if (typeof hours === 'number' && Number.isFinite(hours) && hours >= 1 && hours <= 24 * 7) return hours * 60 * 60 * 1000;
  return DEFAULT_CHECK_INTERVAL_MS;
}

export function decideUpdates(input: { isPackaged: boolean; env: NodeJS.ProcessEnv; policy: PolicyRead | null }): UpdateDecision {
  const { isPackaged, env, policy } = input;
  if (!isPackaged) return { enabled: false, detail: 'development build' };

  if (policy) {
    // Fail closed: a broken machine policy must not fall through to the user's environment.
    if ('error' in policy) return { enabled: false, detail: `machine policy ${policy.path} ${policy.error}` };
    const p = policy.policy as Partial<UpdatePolicy> | null;
    if (!p || typeof p !== 'object' || (p.updates !== 'enabled' && p.updates !== 'disabled')) {
      return { enabled: false, detail: `machine policy ${policy.path} has no "updates": "enabled" | "disabled"` };
    }
    if (p.updates === 'disabled') return { enabled: false, detail: `disabled by machine policy ${policy.path}` };
    if (typeof p.feedUrl !== 'string' || !isAcceptableFeed(p.feedUrl)) {
      return { enabled: false, detail: `machine policy ${policy.path} has no HTTPS "feedUrl"` };
    }
    return {
      enabled: true,
      feedUrl: p.feedUrl,
      source: 'machine-policy',
      intervalMs: intervalFrom(p.checkIntervalHours),
      detail: `enabled by machine policy ${policy.path}`,
    };
  }

  const fromEnv = env.IMS_UPDATE_URL?.trim();
  if (fromEnv) {
    if (!isAcceptableFeed(fromEnv)) return { enabled: false, detail: 'IMS_UPDATE_URL is not an HTTPS URL' };
    return {
      enabled: true,
      feedUrl: fromEnv,
      source: 'environment',
      intervalMs: DEFAULT_CHECK_INTERVAL_MS,
      detail: 'enabled by IMS_UPDATE_URL',
    };
  }
  return { enabled: false, detail: 'no update policy (updates are managed centrally)' };
}

/** The parts of electron-updater's AppUpdater used here; injectable for tests. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
}

export interface Timers {
  setInterval: (fn: () => void, ms: number) => unknown;
  clearInterval: (handle: unknown) => void;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * Checks now and then periodically; downloads in the background and installs when the app
 * quits (never restarts the app under someone mid-session). Returns a stop function.
 */
export function runUpdates(
  updater: UpdaterLike,
  decision: Extract<UpdateDecision, { enabled: true }>,
  log: (message: string, error?: unknown) => void,
  timers: Timers = realTimers,
): () => void {
  updater.setFeedURL({ provider: 'generic', url: decision.feedUrl });
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.on('error', (error) => log('Update check failed', error));
  updater.on('update-downloaded', (info) => log(`Update ${info.version} downloaded; it will be installed when the application closes`));
  const check = () => {
    updater.checkForUpdates().catch((error: unknown) => log('Update check failed', error));
  };
  check();
  const handle = timers.setInterval(check, decision.intervalMs);
  return () => timers.clearInterval(handle);
}

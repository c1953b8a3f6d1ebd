// Start-up decisions that do not need Electron: where data lives, which page to load.
import { APP_ENTRY_URL } from './security';

/** IMS_DATA_DIR (for managed or test installs) wins over Electron's per-user folder. */
export function chooseDataDir(env: NodeJS.ProcessEnv, userData: string): string {
  const fromEnv = env.IMS_DATA_DIR?.trim();
  return fromEnv ? fromEnv : userData;
}

/** The electron-vite dev server in development; the packaged renderer over app:// otherwise. */
export function chooseEntryUrl(env: NodeJS.ProcessEnv, isPackaged: boolean): string {
  const dev = env.ELECTRON_RENDERER_URL?.trim();
  return !isPackaged && dev ? dev : APP_ENTRY_URL;
}

/** Resolves after `ms` with 'timeout' unless the promise settles first. */
export async function withTimeout(promise: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

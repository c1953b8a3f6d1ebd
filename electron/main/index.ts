// Electron main process: one instance, one window, one host (database + handlers).
// The window opens at once and shows start-up progress from session.state while the
// database starts, migrates and (on first run) builds the demonstration region.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { app, BrowserWindow, ipcMain, safeStorage } from 'electron';
import { resolveTarget, type DatabaseTarget } from '../../main-api/platform/db/config';
import { resourcesDir } from '../../main-api/platform/paths';
import { createHost, osKeyStoreCipher, useDesktopSecrets, type Host } from '../../main-api/host/host';
import { CREDENTIALS_FILE, CredentialStore, needsCredentials, type Credentials } from './credentials';
import { denyPermissions, guardAllContents, registerAppScheme, serveApp } from './hardening';
import { registerIpc } from './ipc';
import { withDesktopPrinting } from './print';
import { printPreview } from './print-window';
import { setupLogging } from './logging';
import { forgetOnFailedLogin, isAuthFailure, rememberOnLogin } from './login-hooks';
import { trustedOrigins } from './security';
import { chooseDataDir, chooseEntryUrl, withTimeout } from './startup';
import { decideUpdates, policyFileCandidates, readPolicy, runUpdates, type UpdaterLike } from './updater';
import { createMainWindow } from './window';

const log = setupLogging(app.isPackaged);
const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD = join(here, '../preload/index.cjs');
const RENDERER_ROOT = join(here, '../renderer');
const origins = trustedOrigins(process.env.ELECTRON_RENDERER_URL, app.isPackaged);

if (!app.requestSingleInstanceLock()) {
  // A second launch only brings the running window forward (see 'second-instance').
  app.quit();
} else {
  main();
}

function main(): void {
  app.enableSandbox();
  registerAppScheme();
  guardAllContents(origins, log);
  if (process.platform === 'win32') app.setAppUserModelId('uk.nhs.ims');

  const windows = new Set<BrowserWindow>();
  let host: Host | null = null;
  let stopUpdates: (() => void) | null = null;

  app.on('second-instance', () => {
    const win = [...windows][0];
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  app.on('window-all-closed', () => app.quit());

  let quitting: 'no' | 'closing' | 'closed' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'closed') return;
    // Stop the database cleanly before exit; an embedded server killed mid-write recovers but slowly.
    event.preventDefault();
    if (quitting === 'closing') return;
    quitting = 'closing';
    stopUpdates?.();
    const closing = host ? host.close() : Promise.resolve();
    void withTimeout(closing, 15_000).then((outcome) => {
      if (outcome === 'timeout') log('The database did not close within 15 s; quitting anyway');
      quitting = 'closed';
      app.quit();
    });
  });

  app
    .whenReady()
    .then(async () => {
      serveApp(RENDERER_ROOT, log);
      denyPermissions(log);

      const userData = app.getPath('userData');
      const dataDir = chooseDataDir(process.env, userData);
      const target = resolveTarget({ ...process.env, IMS_DATA_DIR: dataDir });
      // safeStorage is only usable after 'ready'.
      const store = new CredentialStore(join(userData, CREDENTIALS_FILE), safeStorage, log);
      // The sending settings (Notify key, mail server password) live beside the profile, their
      // secrets encrypted by the key store; without a usable key store, by a key file there.
      useDesktopSecrets(userData, osKeyStoreCipher(safeStorage));
      const remembered = target.kind === 'server' && needsCredentials(target) ? store.load(target.url) : null;

      host = makeHost(target, remembered, store);
      const preview = printPreview(() => [...windows][0], log);
      // Handlers are read per call, so the host can be replaced (see below) without re-registering.
      registerIpc({
        ipcMain,
        handlers: () => withDesktopPrinting(forgetOnFailedLogin(host!.handlers, store), preview),
        origins,
        ownsSender: (sender) => [...windows].some((w) => !w.isDestroyed() && w.webContents === sender),
        log,
      });

      const win = createMainWindow({
        preload: PRELOAD,
        url: chooseEntryUrl(process.env, app.isPackaged),
        icon: windowIcon(),
        devTools: !app.isPackaged || process.env.IMS_DEVTOOLS === '1',
        log,
      });
      windows.add(win);
      win.on('closed', () => windows.delete(win));

      try {
        await host.start();
      } catch (error) {
        if (remembered && isAuthFailure(error)) {
          // The remembered password no longer works: forget it and ask again.
          log('The remembered password was rejected; asking for sign-in');
          store.forget();
          await host.close().catch(() => {});
          host = makeHost(target, null, store);
          await host.start().catch(() => {});
        }
        // Otherwise the host has logged the failure and reports it through session.state.
      }

      stopUpdates = await startUpdates();
    })
    .catch((error: unknown) => log('The application failed to start', error));
}

function makeHost(target: DatabaseTarget, credentials: Credentials | null, store: CredentialStore): Host {
  const host = createHost({ target, ...(credentials ? { credentials } : {}), log });
  if (target.kind === 'server') host.onLogin = rememberOnLogin(store, target.url);
  return host;
}

function windowIcon(): string | undefined {
  try {
    const icon = join(resourcesDir(), 'icons', 'icon.png');
    return existsSync(icon) ? icon : undefined;
  } catch {
    return undefined;
  }
}

async function startUpdates(): Promise<(() => void) | null> {
  const decision = decideUpdates({
    isPackaged: app.isPackaged,
    env: process.env,
    policy: readPolicy(policyFileCandidates(process.platform, process.env, process.resourcesPath)),
  });
  log(`Updates: ${decision.detail}`);
  if (!decision.enabled) return null;
  try {
    // Loaded only when allowed, so a managed install never initialises the updater at all.
    const mod = await import('electron-updater');
    const autoUpdater = (mod.default ?? mod).autoUpdater;
    autoUpdater.logger = {
      info: (m: unknown) => log(String(m)),
      warn: (m: unknown) => log(String(m)),
      error: (m: unknown) => log(String(m)),
    };
    return runUpdates(autoUpdater as unknown as UpdaterLike, decision, log);
  } catch (error) {
    log('The updater could not start', error);
    return null;
  }
}

// Applies the rules in security.ts to Electron: the app:// scheme, permissions, navigation,
// new windows and webviews. Everything here runs for every web contents the app ever creates.
import { app, protocol, session, shell, type WebContents } from 'electron';
import { createAppFileHandler } from './app-protocol';
import { APP_SCHEME, isAllowedExternal, isTrustedUrl } from './security';

type Log = (message: string, error?: unknown) => void;

/** Must run before the app is ready: app:// behaves like https (secure, standard origin). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** After ready: serve the built renderer from rendererRoot, with the CSP header on every response. */
export function serveApp(rendererRoot: string, log: Log): void {
  protocol.handle(
    APP_SCHEME,
    createAppFileHandler(rendererRoot, (m) => log(m)),
  );
}

/** The app needs no camera, microphone, location, notifications, USB, HID, serial ... */
export function denyPermissions(log: Log): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`Denied permission request: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

function openIfAllowed(url: string, log: Log): void {
  if (isAllowedExternal(url)) {
    shell.openExternal(url).catch((error: unknown) => log(`Could not open ${url}`, error));
  } else {
    log(`Blocked a link to ${url}`);
  }
}

function guardContents(contents: WebContents, origins: readonly string[], log: Log): void {
  // No new Electron windows ever; approved https links go to the user's browser.
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url, log);
    return { action: 'deny' };
  });
  const stayInApp = (event: { url: string; preventDefault: () => void }, kind: string) => {
    if (isTrustedUrl(event.url, origins)) return;
    event.preventDefault();
    log(`Cancelled ${kind} to ${event.url}`);
    if (kind === 'navigation') openIfAllowed(event.url, log);
  };
  contents.on('will-navigate', (event) => stayInApp(event, 'navigation'));
  contents.on('will-frame-navigate', (event) => stayInApp(event, 'frame navigation'));
  contents.on('will-redirect', (event) => stayInApp(event, 'redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('Refused to attach a webview');
  });
}

/** Guards every web contents created from now on, including any the app did not intend. */
export function guardAllContents(origins: readonly string[], log: Log): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents, origins, log));
}

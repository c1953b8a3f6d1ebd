// Pure rules for what the window may load, navigate to, open or be sent. Kept free of
// 'electron' so they can be unit tested; electron/main/hardening.ts applies them.
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

/** The renderer is served from this privileged scheme instead of file://. */
export const APP_SCHEME = 'app';
const APP_HOST = 'ims';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The origin a URL belongs to. WHATWG URL reports 'null' as the origin of non-special schemes
 * such as app://, so it is rebuilt from scheme and host here.
 */
export function originOf(url: string): string | null {
  const u = parse(url);
  if (!u) return null;
  if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  if (!u.host) return null;
  return `${u.protocol}//${u.host}`.toLowerCase();
}

/** True for a URL inside the packaged renderer (app://ims/...). */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  // Chromium lowercases hosts of standard schemes; Node's URL keeps custom-scheme hosts as written.
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host.toLowerCase() === APP_HOST && !u.username && !u.password;
}

/**
 * Origins the renderer may be served from: the app scheme always, plus the electron-vite dev
 * server during development only (it is never set in a packaged build).
 */
export function trustedOrigins(devServerUrl: string | undefined, isPackaged: boolean): string[] {
  const origins = [APP_ORIGIN];
  if (!isPackaged && devServerUrl) {
    const dev = originOf(devServerUrl);
    // Only a loopback dev server: a remote page must never receive the API.
    const host = dev ? new URL(dev).hostname : '';
    if (dev && (host === 'localhost' || host === '127.0.0.1' || host === '[::1]')) origins.push(dev);
  }
  return origins;
}

export function isTrustedUrl(url: string, origins: readonly string[]): boolean {
  if (isAppUrl(url)) return true;
  const origin = originOf(url);
  return origin !== null && origin !== APP_ORIGIN && origins.includes(origin);
}

/**
 * Sites a link in the app may open in the user's browser: national guidance only. Anything
 * else is refused, so a crafted link in imported data cannot send staff to an arbitrary page.
 */
const EXTERNAL_HOSTS: readonly string[] = [
  'www.nhs.uk',
  'www.england.nhs.uk',
  'digital.nhs.uk',
  'www.gov.uk',
  'assets.publishing.service.gov.uk',
  'www.ukhsa.gov.uk',
];

export function isAllowedExternal(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  const u = parse(url);
  if (!u) return false;
  if (u.protocol !== 'https:') return false;
  if (u.username || u.password) return false;
  if (u.port !== '') return false;
  return hosts.includes(u.hostname.toLowerCase());
}

export type FileLookup = { ok: true; path: string; spaFallback: boolean } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps an app:// request URL to a file under root. Refuses anything that would leave root
 * (encoded dots or separators, absolute paths, NUL bytes) and anything not addressed to the
 * app host. Paths without an extension are client-side routes and get index.html.
 */
export function resolveAppFile(requestUrl: string, root: string): FileLookup {
  const u = parse(requestUrl);
  if (!u || u.protocol !== `${APP_SCHEME}:`) return { ok: false, status: 400, reason: 'not an app URL' };
  if (u.host.toLowerCase() !== APP_HOST || u.username || u.password) return { ok: false, status: 403, reason: 'unknown host' };
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad encoding' };
  }
  if (path.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
  // Backslashes are separators on Windows; treat them as such everywhere so the check is the same.
  const segments = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: 'path traversal' };
  if (segments.some((s) => /^[a-zA-Z]:$/.test(s))) return { ok: false, status: 403, reason: 'drive letter' };
  const base = resolve(root);
  const relativePath = segments.join(sep);
  const spaFallback = segments.length === 0 || extname(segments[segments.length - 1] ?? '') === '';
  const target = spaFallback ? resolve(base, 'index.html') : resolve(base, relativePath);
  const rel = relative(base, target);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    return { ok: false, status: 403, reason: 'outside root' };
  }
  return { ok: true, path: target, spaFallback };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.geojson': 'application/geo+json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeType(path: string): string {
  return MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** What the IPC layer knows about a caller; built from the Electron event in ipc.ts. */
export interface SenderFacts {
  /** URL of event.senderFrame, or null when the frame is gone. */
  frameUrl: string | null;
  /** The frame is the top frame of its page (not an iframe). */
  isMainFrame: boolean;
  /** The page belongs to a window this process created. */
  isOwnWindow: boolean;
}

export function isTrustedSender(facts: SenderFacts, origins: readonly string[]): boolean {
  return facts.frameUrl !== null && facts.isMainFrame && facts.isOwnWindow && isTrustedUrl(facts.frameUrl, origins);
}

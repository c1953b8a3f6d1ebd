// The loopback transport: serves the built renderer and the same contract over HTTP on
// 127.0.0.1 only, for running in a plain browser (and for the end-to-end tests). Every API
// call must carry this run's random token; requests for other host names are refused so a web
// page elsewhere cannot reach it through DNS rebinding.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Handlers } from '../contract/contract';
import { fail } from '../contract/result';
import { CONTENT_SECURITY_POLICY } from '../platform/csp';
import { dispatch, type Logger } from './dispatch';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.pdf': 'application/pdf',
};

const MAX_BODY = 2 * 1024 * 1024;

export interface HttpHostOptions {
  handlers: Handlers;
  rendererDir: string;
  port?: number;
  token?: string;
  isReady: () => boolean;
  log?: Logger;
}

export interface HttpHost {
  server: Server;
  port: number;
  token: string;
  url: string;
  close: () => Promise<void>;
}

export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Resolves a URL path to a file inside root, or null for anything that escapes it. */
export function staticFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = resolve(root, normalize(rel));
  const base = resolve(root);
  if (full !== base && !full.startsWith(base + sep)) return null;
  return full;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

class BodyTooLarge extends Error {}

/**
 * The request body as text. A body over MAX_BODY is refused with BodyTooLarge, which answers
 * 413: one that says its length up front is refused before it is read; one that does not is
 * read to its end and thrown away, so the client gets the answer instead of a reset
 * connection, unless it goes far past the limit.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY * 4) req.destroy();
      else if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => (size > MAX_BODY ? reject(new BodyTooLarge()) : resolveBody(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** A channel name from the URL path; null when its percent-escapes are malformed. */
function channelOf(path: string): string | null {
  try {
    return decodeURIComponent(path.slice('/api/'.length));
  } catch {
    return null;
  }
}

/**
 * Whether a request says its body is JSON. Only JSON is taken: a form or plain text is what a
 * page on another site can send without the browser asking first.
 */
function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => {});
  let port = options.port ?? 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  // The page is served over plain HTTP: any other scheme, host or port is another site.
  const allowedOrigins = (): Set<string> => new Set([...allowedHosts()].map((h) => `http://${h}`));

  const server = createServer(async (req, res) => {
    try {
      if (!allowedHosts().has(req.headers.host ?? '')) {
        res.writeHead(421).end('Misdirected request');
        return;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/healthz') {
        res.writeHead(options.isReady() ? 200 : 503, { 'content-type': 'text/plain' }).end(options.isReady() ? 'ready' : 'starting');
        return;
      }
      if (path.startsWith('/api/')) {
        if (req.method !== 'POST') {
          send(res, 405, fail('VALIDATION', 'Use POST.'));
          return;
        }
        const origin = req.headers.origin;
        if (origin !== undefined && !allowedOrigins().has(origin)) {
          send(res, 403, fail('FORBIDDEN', 'Requests from other sites are refused.'));
          return;
        }
        const auth = req.headers.authorization ?? '';
        if (!tokensMatch(token, auth.startsWith('Bearer ') ? auth.slice(7) : undefined)) {
          send(
            res,
            401,
            fail('UNAUTHENTICATED', 'This link has expired or is not valid. Open the address printed when the application started.'),
          );
          return;
        }
        if (!isJson(req.headers['content-type'])) {
          req.resume();
          send(res, 415, fail('VALIDATION', 'Send the request as JSON (Content-Type: application/json).'));
          return;
        }
        const channel = channelOf(path);
        if (channel === null) {
          req.resume();
          send(res, 404, fail('NOT_FOUND', 'There is no such channel.'));
          return;
        }
        let input: unknown = {};
        try {
          const body = await readBody(req);
          input = body ? JSON.parse(body) : {};
        } catch (error) {
          if (error instanceof BodyTooLarge) {
            send(res, 413, fail('VALIDATION', `The request is too large: at most ${MAX_BODY / 1024 / 1024} MB.`));
          } else {
            send(res, 400, fail('VALIDATION', 'The request body was not valid JSON.'));
          }
          return;
        }
        send(res, 200, await dispatch(options.handlers, channel, input, log));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      let file = staticFile(options.rendererDir, path);
      if (!file) {
        res.writeHead(400).end();
        return;
      }
      if (!existsSync(file) || !statSync(file).isFile()) file = join(options.rendererDir, 'index.html');
      if (!existsSync(file)) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('The user interface has not been built. Run "npm run build".');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch (error) {
      log('HTTP host failure', error);
      if (!res.headersSent) send(res, 500, fail('INTERNAL', 'Something went wrong. The problem has been logged.'));
      else res.end();
    }
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

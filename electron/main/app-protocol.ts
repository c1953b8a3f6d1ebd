// Serves the built renderer for app://ims/. Written against the web Request/Response types
// (which Electron's protocol.handle uses too) so it can be exercised without Electron.
import { readFile, stat } from 'node:fs/promises';
import { CONTENT_SECURITY_POLICY } from '../../main-api/platform/csp';
import { mimeType, resolveAppFile } from './security';

function refuse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CONTENT_SECURITY_POLICY },
  });
}

export function createAppFileHandler(root: string, log: (message: string) => void = () => {}) {
  return async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method not allowed');
    const found = resolveAppFile(request.url, root);
    if (!found.ok) {
      log(`Refused ${request.url}: ${found.reason}`);
      return refuse(found.status, 'Not available');
    }
    try {
      const info = await stat(found.path);
      if (!info.isFile()) return refuse(404, 'Not found');
      const body = request.method === 'HEAD' ? null : await readFile(found.path);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': mimeType(found.path),
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
          // Files are local and cheap to re-read; never serve a stale bundle after an update.
          'cache-control': 'no-cache',
        },
      });
    } catch {
      return refuse(404, 'Not found');
    }
  };
}

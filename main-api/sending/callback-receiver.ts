// The receiver for Notify's delivery callbacks, for servers that Notify can reach: one POST path,
// the bearer token set in the sending settings (compared in constant time), a small JSON body
// with Notify's id, our reference and the status. An unknown reference is acknowledged and
// ignored (Notify retries anything else, up to 5 times); a status we cannot record yet is
// answered 500 so Notify tries again.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { DeliveryStatus } from '../shared/vocabulary/sending';
import type { DeliveryOutcome } from './sending.repository';

const CALLBACK_PATH = '/notify/callback';
const MAX_BODY = 64 * 1024;

/** What Notify posts (fields beyond these are ignored). */
const Callback = z.object({
  id: z.string().regex(/^[A-Za-z0-9-]{1,100}$/),
  reference: z.uuid().nullable().optional(),
  status: DeliveryStatus,
  notification_type: z.enum(['email', 'sms', 'letter']).optional(),
});

export interface CallbackReceiver {
  url: string;
  close(): Promise<void>;
}

export type RecordDelivery = (reference: string | null, providerId: string, status: DeliveryStatus) => Promise<DeliveryOutcome | null>;

function sameToken(given: string, expected: string): boolean {
  // Hashing first makes the comparison constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startCallbackReceiver(opts: {
  token: string;
  record: RecordDelivery;
  host?: string;
  port?: number;
  log?: (message: string) => void;
}): Promise<CallbackReceiver> {
  if (opts.token.length < 16) throw new Error('The callback token must be at least 16 characters.');
  const log = opts.log ?? (() => {});
  const server: Server = createServer((req, res) => {
    const answer = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(text);
    };
    void (async () => {
      if (req.url !== CALLBACK_PATH) return answer(404, 'Not found');
      if (req.method !== 'POST') return answer(405, 'Use POST');
      const auth = req.headers.authorization ?? '';
      const token = /^Bearer (.+)$/.exec(auth)?.[1] ?? '';
      if (!sameToken(token, opts.token)) return answer(401, 'Unauthorised');
      const body = await readBody(req);
      if (body === null) return answer(413, 'Too large');
      let parsed: z.infer<typeof Callback>;
      try {
        parsed = Callback.parse(JSON.parse(body));
      } catch {
        return answer(400, 'Not a Notify callback');
      }
      try {
        const outcome = await opts.record(parsed.reference ?? null, parsed.id, parsed.status);
        answer(200, outcome === null ? 'Unknown reference' : 'Recorded');
      } catch (error) {
        log(`A delivery callback could not be recorded (${(error as Error).name})`);
        answer(500, 'Try again');
      }
    })().catch(() => answer(500, 'Try again'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${CALLBACK_PATH}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// A fake GOV.UK Notify on loopback for tests: the v2 paths the sender uses (email, text and
// precompiled letter; a notification by id; notifications by reference), each request's JWT
// checked as Notify checks it (HS256 signed with the key's secret, iss the service id, iat
// within 30 seconds), 429s and 500s on demand, outcomes by Notify's simulated recipients, and
// delivery callbacks posted to a receiver with its bearer token. Nothing leaves the machine.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface FakeNotification {
  id: string;
  reference: string | null;
  type: 'email' | 'sms' | 'letter';
  to: string;
  templateId: string | null;
  personalisation: Record<string, string>;
  status: string;
  /** The status it will reach when the fake is told to deliver. */
  outcome: string;
  postage: string | null;
  pdfBytes: number;
  at: number;
}

export interface FakeNotify {
  url: string;
  serviceId: string;
  /** An API key in Notify's form: name, service id, secret. */
  apiKey: string;
  /** Known template ids (others are refused 400). */
  templates: Set<string>;
  notifications: FakeNotification[];
  /** Every request, with when it came and what was answered. */
  requests: { method: string; path: string; status: number; at: number }[];
  /** The next n send requests are answered 429 (then 500s, likewise). */
  tooMany: number;
  serverErrors: number;
  /** Sends to these references are taken, then answered 500 (the message went; the answer was lost). */
  loseAnswerFor: Set<string>;
  callback: { url: string; token: string } | null;
  /** Moves every message to its outcome and posts the callbacks (when a receiver is set). */
  deliverAll(): Promise<void>;
  /** Reports a letter as returned (status returned-letter), with a callback. */
  returnLetter(reference: string): Promise<void>;
  sentTo(reference: string): number;
  close(): Promise<void>;
}

const SECRET = '0e4b8e4c-4d1b-4d2e-9d0f-3c2a1b0a9f8e';

function b64url(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Checks a Notify JWT; answers the reason it is refused, or null when it is good. */
function checkJwt(auth: string | undefined, serviceId: string, secret: string): string | null {
  const token = /^Bearer (.+)$/.exec(auth ?? '')?.[1];
  if (!token) return 'Unauthorized: authentication token must be provided';
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return 'Invalid token: signature';
  const expected = b64url(createHmac('sha256', secret).update(`${h}.${p}`).digest());
  if (expected.length !== s.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(s)))
    return 'Invalid token: signature, api token not found';
  let header: { alg?: string };
  let payload: { iss?: string; iat?: number };
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return 'Invalid token: not JSON';
  }
  if (header.alg !== 'HS256') return 'Invalid token: algorithm';
  if (payload.iss !== serviceId) return 'Invalid token: service not found';
  if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > 30)
    return 'Error: Your system clock must be accurate to within 30 seconds';
  return null;
}

/** What Notify's simulated recipients come to. */
function outcomeOf(type: FakeNotification['type'], to: string): string {
  if (type === 'sms') {
    if (/^0?7700900002$/.test(to.replace(/\s/g, ''))) return 'permanent-failure';
    if (/^0?7700900003$/.test(to.replace(/\s/g, ''))) return 'temporary-failure';
    return 'delivered';
  }
  if (type === 'email') {
    if (to === 'perm-fail@simulator.notify') return 'permanent-failure';
    if (to === 'temp-fail@simulator.notify') return 'temporary-failure';
    return 'delivered';
  }
  return 'received';
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      try {
        resolve(parts.length ? (JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>) : {});
      } catch (error) {
        reject(error as Error);
      }
    });
    req.on('error', reject);
  });
}

function view(n: FakeNotification) {
  return {
    id: n.id,
    reference: n.reference,
    type: n.type,
    status: n.status,
    template: { id: n.templateId ?? '', version: 1, uri: '' },
    body: '',
    created_at: new Date(n.at).toISOString(),
    is_cost_data_ready: false,
    ...(n.type === 'email' ? { email_address: n.to } : n.type === 'sms' ? { phone_number: n.to } : { postage: n.postage }),
  };
}

export async function startFakeNotify(opts: { serviceId?: string; templates?: string[] } = {}): Promise<FakeNotify> {
  const serviceId = opts.serviceId ?? randomUUID();
  const fake: FakeNotify = {
    url: '',
    serviceId,
    apiKey: `ims_test-${serviceId}-${SECRET}`,
    templates: new Set(opts.templates ?? []),
    notifications: [],
    requests: [],
    tooMany: 0,
    serverErrors: 0,
    loseAnswerFor: new Set(),
    callback: null,
    async deliverAll() {
      for (const n of fake.notifications) {
        if (n.status === n.outcome) continue;
        n.status = n.outcome;
        await post(n);
      }
    },
    async returnLetter(reference) {
      const n = fake.notifications.find((x) => x.reference === reference && x.type === 'letter');
      if (!n) throw new Error(`No letter with reference ${reference}`);
      n.status = 'returned-letter';
      await post(n);
    },
    sentTo: (reference) => fake.notifications.filter((n) => n.reference === reference).length,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function post(n: FakeNotification): Promise<void> {
    if (!fake.callback) return;
    const res = await fetch(fake.callback.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fake.callback.token}` },
      body: JSON.stringify({
        id: n.id,
        reference: n.reference,
        to: n.to,
        status: n.status,
        notification_type: n.type,
        created_at: new Date(n.at).toISOString(),
      }),
    });
    await res.text();
    if (!res.ok) throw new Error(`The callback receiver answered ${res.status}`);
  }

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown) => {
    fake.requests.push({ method: req.method ?? '', path: req.url ?? '', status, at: Date.now() });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (req: IncomingMessage, res: ServerResponse, status: number, kind: string, message: string) =>
    answer(req, res, status, { status_code: status, errors: [{ error: kind, message }] });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const refused = checkJwt(req.headers.authorization, serviceId, SECRET);
    if (refused) return error(req, res, 403, 'AuthError', refused);
    if (req.method === 'POST' && url.pathname.startsWith('/v2/notifications/')) {
      if (fake.tooMany > 0) {
        fake.tooMany--;
        return error(req, res, 429, 'RateLimitError', 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds');
      }
      if (fake.serverErrors > 0) {
        fake.serverErrors--;
        return error(req, res, 500, 'Exception', 'Internal server error');
      }
      const body = await readJson(req);
      const type = url.pathname.slice('/v2/notifications/'.length) as FakeNotification['type'];
      const reference = typeof body.reference === 'string' ? body.reference : null;
      let to = '';
      let templateId: string | null = null;
      let pdfBytes = 0;
      if (type === 'sms' || type === 'email') {
        templateId = String(body.template_id ?? '');
        if (!fake.templates.has(templateId)) return error(req, res, 400, 'BadRequestError', 'Template not found');
        to = String((type === 'sms' ? body.phone_number : body.email_address) ?? '');
        if (type === 'sms' && !/^(\+44|0)7\d{9}$/.test(to.replace(/\s/g, '')))
          return error(req, res, 400, 'ValidationError', 'phone_number Not a UK mobile number');
        if (type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(to))
          return error(req, res, 400, 'ValidationError', 'email_address Not a valid email address');
      } else if (type === 'letter') {
        const pdf = Buffer.from(String(body.content ?? ''), 'base64');
        if (!reference) return error(req, res, 400, 'ValidationError', 'reference is a required property');
        if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
          return error(req, res, 400, 'ValidationError', 'Letter content is not a valid PDF');
        pdfBytes = pdf.length;
      } else {
        return error(req, res, 404, 'NotFound', 'Not found');
      }
      const n: FakeNotification = {
        id: randomUUID(),
        reference,
        type,
        to,
        templateId,
        personalisation: (body.personalisation as Record<string, string>) ?? {},
        status: type === 'letter' ? 'accepted' : 'created',
        outcome: outcomeOf(type, to),
        postage: typeof body.postage === 'string' ? body.postage : null,
        pdfBytes,
        at: Date.now(),
      };
      fake.notifications.push(n);
      if (reference && fake.loseAnswerFor.has(reference)) {
        fake.loseAnswerFor.delete(reference);
        return error(req, res, 500, 'Exception', 'Internal server error');
      }
      return answer(
        req,
        res,
        201,
        type === 'letter'
          ? { id: n.id, reference, postage: n.postage }
          : { id: n.id, reference, content: {}, uri: '', template: { id: templateId, version: 1, uri: '' } },
      );
    }
    if (req.method === 'GET' && url.pathname === '/v2/notifications') {
      const reference = url.searchParams.get('reference');
      const found = fake.notifications.filter((n) => reference === null || n.reference === reference).reverse();
      return answer(req, res, 200, { notifications: found.map(view), links: { current: req.url } });
    }
    const byId = /^\/v2\/notifications\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (req.method === 'GET' && byId) {
      const n = fake.notifications.find((x) => x.id === byId[1]);
      if (!n) return error(req, res, 404, 'NoResultFound', 'No result found');
      return answer(req, res, 200, view(n));
    }
    return error(req, res, 404, 'NotFound', 'Not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => error(req, res, 400, 'BadRequestError', 'Not JSON'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

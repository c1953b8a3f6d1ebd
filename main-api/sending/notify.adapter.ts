// GOV.UK Notify through its official client (notifications-node-client), which signs each request
// with a JWT from the API key and accepts a base URL (a local fake in tests). Errors are turned
// into ProviderError with Notify's own message and nothing of the request: axios errors carry the
// Authorization header, so they are never passed on or logged.
import { NotifyClient } from 'notifications-node-client';
import { DeliveryStatus } from '../shared/vocabulary/sending';
import type { EmailMessage, MessageProvider, ProviderNotification, SentMessage, SmsMessage } from './provider.port';
import { kindOfStatus, ProviderError } from './sending.rules';

interface NotifyErrorBody {
  errors?: { error?: string; message?: string }[];
}

function providerError(error: unknown): ProviderError {
  const e = error as { response?: { status?: number; data?: NotifyErrorBody }; code?: string };
  const status = typeof e.response?.status === 'number' ? e.response.status : null;
  const first = e.response?.data?.errors?.[0];
  const said = [first?.error, first?.message]
    .filter((s): s is string => typeof s === 'string')
    .join(': ')
    .slice(0, 250);
  const message =
    status === null ? `Notify could not be reached${e.code ? ` (${e.code})` : ''}` : `Notify answered ${status}${said ? `: ${said}` : ''}`;
  return new ProviderError(kindOfStatus(status), message, status);
}

async function call<T>(work: () => Promise<{ data: T }>): Promise<T> {
  try {
    return (await work()).data;
  } catch (error) {
    throw providerError(error);
  }
}

function notification(n: { id: string; reference?: string | null; status: string }): ProviderNotification {
  const status = DeliveryStatus.safeParse(n.status);
  if (!status.success) throw new ProviderError('unavailable', `Notify gave an unknown status for ${n.id}`);
  return { id: n.id, reference: n.reference ?? null, status: status.data };
}

export function notifyProvider(baseUrl: string, apiKey: string): MessageProvider {
  const client = new NotifyClient(baseUrl, apiKey);
  // A service on this computer (a local relay, the fake in tests) is reached directly, never
  // through a proxy named in the environment.
  if (/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:|$)/.test(baseUrl)) client.setProxy(false as never);
  return {
    name: 'NOTIFY',
    channels: ['SMS', 'EMAIL', 'LETTER'],
    async sendEmail(m: EmailMessage): Promise<SentMessage> {
      if (m.templateId === null) throw new ProviderError('refused', 'No Notify template for this email');
      const r = await call(() => client.sendEmail(m.templateId!, m.to, { personalisation: m.personalisation, reference: m.reference }));
      return { id: r.id };
    },
    async sendSms(m: SmsMessage): Promise<SentMessage> {
      const r = await call(() => client.sendSms(m.templateId, m.to, { personalisation: m.personalisation, reference: m.reference }));
      return { id: r.id };
    },
    async sendPrecompiledLetter(reference, pdf, postage): Promise<SentMessage> {
      const r = await call(() => client.sendPrecompiledLetter(reference, pdf, postage));
      return { id: r.id };
    },
    async findByReference(reference) {
      const r = await call(() => client.getNotifications(undefined, undefined, reference));
      const found = (r.notifications ?? []).find((n) => n.reference === reference);
      return found ? notification(found) : null;
    },
    async status(id) {
      try {
        return notification(await call(() => client.getNotificationById(id)));
      } catch (error) {
        if (error instanceof ProviderError && error.kind === 'not-found') return null;
        throw error;
      }
    },
  };
}

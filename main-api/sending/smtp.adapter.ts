// Email through the organisation's own mail server (nodemailer), for organisations without
// Notify. Email only: texts and letters stay pending for Notify or the letters' print run. The
// message's reference goes in a header of its own so a message can be traced; a mail server
// cannot be asked afterwards, so a message claimed before and not recorded is not sent again
// (the sender treats a reference it cannot look up as possibly sent: see sender.service.ts).
import nodemailer from 'nodemailer';
import type { MessageProvider } from './provider.port';
import { ProviderError } from './sending.rules';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string | null;
  from: string;
}

function smtpError(error: unknown): ProviderError {
  const e = error as { responseCode?: number; code?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (code !== null && code >= 500 && code !== 535 && code !== 530) {
    return new ProviderError('refused', `The mail server refused the message (${code})`, code);
  }
  if (code === 535 || code === 530 || e.code === 'EAUTH')
    return new ProviderError('unauthorised', 'The mail server refused the user or password', code);
  return new ProviderError(
    'unavailable',
    `The mail server could not take the message now${code ? ` (${code})` : e.code ? ` (${e.code})` : ''}`,
    code,
  );
}

export function smtpProvider(s: SmtpSettings): MessageProvider {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    // Plain connections only to this computer (a local relay, the test server).
    requireTLS: !s.secure && !/^(127\.0\.0\.1|localhost|::1)$/.test(s.host),
    logger: false,
    debug: false,
  });
  const unsupported = (what: string) => Promise.reject(new ProviderError('refused', `The mail server cannot send ${what}`));
  return {
    name: 'SMTP',
    channels: ['EMAIL'],
    async sendEmail(m) {
      try {
        const info = await transport.sendMail({
          from: s.from,
          to: m.to,
          subject: m.subject,
          text: m.body,
          headers: { 'X-IMS-Reference': m.reference },
          messageId: `<${m.reference}@ims.invalid>`,
        });
        return { id: typeof info.messageId === 'string' ? info.messageId.slice(0, 200) : m.reference };
      } catch (error) {
        throw smtpError(error);
      }
    },
    sendSms: () => unsupported('texts'),
    sendPrecompiledLetter: () => unsupported('letters'),
    findByReference: () => Promise.resolve(null),
    status: () => Promise.resolve(null),
  };
}

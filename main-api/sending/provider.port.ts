// What the sender needs of a provider. GOV.UK Notify implements all of it (notify.adapter.ts);
// an organisation's mail server implements email only (smtp.adapter.ts). Failures are thrown as
// ProviderError so the sender decides retry, fallback or stop in one place.
import type { DeliveryStatus } from '../shared/vocabulary/sending';

export interface SentMessage {
  /** The provider's id for the message. */
  id: string;
}

export interface ProviderNotification {
  id: string;
  reference: string | null;
  status: DeliveryStatus;
}

export interface EmailMessage {
  templateId: string | null;
  to: string;
  subject: string;
  body: string;
  personalisation: Record<string, string>;
  reference: string;
}

export interface SmsMessage {
  templateId: string;
  to: string;
  personalisation: Record<string, string>;
  reference: string;
}

export interface MessageProvider {
  readonly name: 'NOTIFY' | 'SMTP';
  readonly channels: readonly ('EMAIL' | 'SMS' | 'LETTER')[];
  sendEmail(m: EmailMessage): Promise<SentMessage>;
  sendSms(m: SmsMessage): Promise<SentMessage>;
  sendPrecompiledLetter(reference: string, pdf: Buffer, postage: 'first' | 'second' | 'economy'): Promise<SentMessage>;
  /** The message sent with this reference, if any: what makes a re-run after a crash safe. */
  findByReference(reference: string): Promise<ProviderNotification | null>;
  /** How a sent message stands now (null for a provider that cannot say). */
  status(id: string): Promise<ProviderNotification | null>;
}

// Channels for sending a campaign's messages: how this installation sends (GOV.UK Notify or the
// organisation's mail server; keys kept encrypted on the machine and never sent back), a send
// run with progress and cancel, a status poll, and counts per status for the campaign page.
// Coordinators and administrators send; only administrators change the settings (migration 0036).
import { z } from 'zod';
import type { HandlersOf } from './common';
import { CampaignCode } from './campaigns';
import { CommunicationPurpose, CommunicationStatus } from '../shared/vocabulary/campaigns';
import { ContactChannel } from '../shared/vocabulary/contact';
import { DeliveryStatus } from '../shared/vocabulary/sending';
import { StandingTemplatePurpose } from '../shared/vocabulary/letters';

const Count = z.number().int().nonnegative();
/** Text typed into a settings field: no control characters. */
const Plain = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters`)
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'No control or formatting characters');

/** A Notify API key: its name, the service id and the secret, as Notify shows it. */
const NotifyApiKey = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9_-]{0,200}-?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'A Notify API key ends with the service id and the secret key (two ids of 36 characters)',
  );

/** Which Notify template sends a campaign template (by its name), or a purpose and channel by default. */
const NotifyTemplate = z.object({
  /** The campaign template's name; null: any template of this purpose and channel without its own entry. */
  templateName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$/, 'Letters, digits, spaces, _ . - (at most 80)')
    .nullable()
    .default(null),
  /** A campaign's purpose, or one of the messages of no campaign (a child overdue, school consent). */
  purpose: z.union([CommunicationPurpose, StandingTemplatePurpose]),
  channel: z.enum(['EMAIL', 'SMS']),
  notifyTemplateId: z.uuid('A Notify template id (36 characters)'),
});
export type NotifyTemplate = z.output<typeof NotifyTemplate>;

const Provider = z.enum(['NOTIFY', 'SMTP', 'NONE']);
const Postage = z.enum(['first', 'second', 'economy']);

/** What the settings screen shows: everything but the secrets, which are only said to be set. */
export const SendingSettingsView = z.object({
  provider: Provider,
  notifyBaseUrl: z.string(),
  hasNotifyApiKey: z.boolean(),
  templates: z.array(NotifyTemplate),
  postage: Postage,
  ratePerMinute: z.number().int(),
  smtpHost: z.string(),
  smtpPort: z.number().int(),
  smtpSecure: z.boolean(),
  smtpUser: z.string(),
  hasSmtpPassword: z.boolean(),
  smtpFrom: z.string(),
  hasCallbackToken: z.boolean(),
  /** Where secrets are kept: the operating system's key store, or a key file (named). */
  protection: z.string(),
});
export type SendingSettingsView = z.infer<typeof SendingSettingsView>;

const BaseUrl = z
  .string()
  .trim()
  .max(200)
  .regex(
    /^(https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?)$/,
    'https:// and a host (http:// only on this computer)',
  );

/** A save: a secret left out (or empty) keeps the one stored; clearSecrets removes them. */
export const SendingSettingsInput = z.object({
  provider: Provider,
  notifyBaseUrl: BaseUrl.default('https://api.notifications.service.gov.uk'),
  notifyApiKey: z.union([z.literal(''), NotifyApiKey]).optional(),
  templates: z.array(NotifyTemplate).max(200).default([]),
  postage: Postage.default('second'),
  ratePerMinute: z.number().int().min(1, 'At least 1 a minute').max(3000, "At most 3,000 a minute (Notify's limit)").default(3000),
  smtpHost: z
    .string()
    .trim()
    .max(200)
    .regex(/^([A-Za-z0-9.-]*|\[[0-9a-fA-F:]+\])$/, 'A host name or address')
    .default(''),
  smtpPort: z.number().int().min(1).max(65535).default(587),
  smtpSecure: z.boolean().default(false),
  smtpUser: Plain(200).default(''),
  smtpPassword: Plain(200).optional(),
  smtpFrom: z.union([z.literal(''), z.email('An email address to send from').max(200)]).default(''),
  /** The bearer token Notify sends with callbacks (at least 16 characters). */
  callbackToken: z.union([z.literal(''), z.string().regex(/^[A-Za-z0-9_-]{16,200}$/, '16 to 200 letters, digits, _ or -')]).optional(),
  clearSecrets: z.boolean().default(false),
});
export type SendingSettingsInput = z.output<typeof SendingSettingsInput>;

const SendInput = z.object({
  /** The campaign; null: the messages of no campaign (children's overdue messages, school consent requests and reminders). */
  campaignCode: CampaignCode.nullable(),
  /** At most this many messages in the run; all that are due when left out. */
  limit: z.number().int().min(1).max(1_000_000).nullable().default(null),
});

const RunId = z.uuid();

export const SendProgress = z.object({
  runId: RunId,
  campaignCode: z.string(),
  state: z.enum(['running', 'finished', 'cancelled', 'failed']),
  /** Messages taken so far, and what became of them. */
  claimed: Count,
  sent: Count,
  /** Found already sent by an earlier run (looked up by reference), recorded without sending again. */
  alreadySent: Count,
  refused: Count,
  fallbacks: Count,
  /** Left for a later run (Notify busy, no letter file yet, cancelled). */
  deferred: Count,
  /** Messages per second so far. */
  rate: z.number().nonnegative(),
  message: z.string().nullable(),
});
export type SendProgress = z.infer<typeof SendProgress>;

export const PollResult = z.object({ checked: Count, changed: Count, fallbacks: Count });
export type PollResult = z.infer<typeof PollResult>;

export const CommunicationCounts = z.array(
  z.object({ channel: ContactChannel, status: CommunicationStatus, deliveryStatus: DeliveryStatus.nullable(), count: Count }),
);
export type CommunicationCounts = z.infer<typeof CommunicationCounts>;

export const sendingChannels = {
  'sending.settings.get': { input: z.object({}), output: SendingSettingsView },
  'sending.settings.save': { input: SendingSettingsInput, output: SendingSettingsView },
  /** Starts sending the campaign's due messages in the background; answers the run's first progress. */
  'communications.send': { input: SendInput, output: SendProgress },
  'communications.send.progress': { input: z.object({ runId: RunId }), output: SendProgress },
  'communications.send.cancel': { input: z.object({ runId: RunId }), output: SendProgress },
  /** Asks Notify how the campaign's sent messages fared, and records it. */
  'communications.poll': { input: z.object({ campaignCode: CampaignCode.nullable() }), output: PollResult },
  'communications.counts': { input: z.object({ campaignCode: CampaignCode.nullable() }), output: CommunicationCounts },
} as const;

export type SendingHandlers = HandlersOf<typeof sendingChannels>;

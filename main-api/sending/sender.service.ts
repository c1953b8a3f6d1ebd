// Sending a campaign's due messages. A run claims pending communications in the database in
// small batches (a lease, taken with SKIP LOCKED: two senders never hold the same one), sends each
// through the provider with the communication's reference, at most at the configured rate
// (a token bucket), retrying 429 and 5xx answers with exponential back-off, and records SENT
// with the provider's id. A message the provider refuses for good is FAILED and falls back to
// the next channel as a new communication (the database makes it; the same run sends it).
//
// Never twice: a communication a sender took before and neither recorded nor let go of (it
// died between sending and recording) is first looked up at Notify by its reference and, if
// Notify has it, recorded without sending again. A message is only let go of when it is known
// not to have been sent; if recording fails after a send, the lease simply runs out and the next
// run looks it up.
import { COMMUNICATION_PURPOSE_LABELS, type CommunicationPurpose } from '../shared/vocabulary/campaigns';
import { formatLongDate } from '../shared/calendar/dates';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import type { NotifyTemplate, PollResult, SendProgress } from '../contract/sending';
import type { MessageProvider, SentMessage } from './provider.port';
import type { ClaimedMessage, SendingRepository } from './sending.repository';
import { DEFAULT_RETRY, notifyTemplateFor, ProviderError, withRetry, type RetryOptions, type TokenBucket } from './sending.rules';

export interface SenderOptions {
  repo: SendingRepository;
  provider: MessageProvider;
  bucket: TokenBucket;
  templates: readonly NotifyTemplate[];
  postage: 'first' | 'second' | 'economy';
  /** The precompiled letter (PDF) for a communication, by its reference; null while there is none yet. */
  letterPdf: (reference: string) => Promise<Buffer | null>;
  /** The campaign whose messages are sent; null: the messages of no campaign (children's overdue messages, school consent). */
  campaignCode: string | null;
  /** England's date: invitations planned for release by then are due. */
  today: string;
  howToBook: string;
  retry?: RetryOptions;
  /** Messages claimed at a time. */
  batchSize?: number;
  /** Messages in flight at once (the bucket still sets the pace). */
  concurrency?: number;
  /** How long a claim holds a message: long enough for a batch with its retries. */
  leaseSeconds?: number;
  /** How long a message that could not be sent now waits before a sender tries it again. */
  deferSeconds?: number;
  now?: () => number;
}

/** Said when a message could not go now and should be tried later (not a refusal). */
class NotNow extends Error {}

export function personalisation(m: ClaimedMessage, howToBook: string): Record<string, string> {
  // The same placeholders as the bulk-send export (campaign-files.rules.ts), and a school
  // message's (the merge fields' names): Notify ignores those its template does not use.
  return {
    'first name': m.givenName,
    'last name': m.familyName,
    'nhs number': formatNhsNumber(m.nhsNumber),
    campaign: m.campaignName,
    'how to book': howToBook,
    reference: m.reference,
    school: m.schoolName ?? '',
    'session date': formatLongDate(m.sessionDate),
    'school programme': m.schoolProgramme ?? '',
    'consent link': m.consentLink ?? '',
    'consent phone': m.consentPhone ?? '',
    organisation: m.organisationName ?? '',
  };
}

/** What a mail server's email says of a message of no campaign (Notify sends its own template instead). */
function standingEmail(m: ClaimedMessage): { subject: string; body: string } {
  const child = `${m.givenName} ${m.familyName}`;
  const reply = [m.consentLink ? `online at ${m.consentLink}` : null, m.consentPhone ? `by calling ${m.consentPhone}` : null].filter(
    (x) => x !== null,
  );
  const answer = reply.length ? ` ${reply.join(' or ')}` : '';
  const session = `${m.schoolProgramme ?? 'the'} vaccination at ${m.schoolName ?? 'school'} on ${formatLongDate(m.sessionDate)}`;
  const sign = ['', m.organisationName ?? ''];
  if (m.purpose === 'CHILD_OVERDUE')
    return {
      subject: `${m.givenName} is due vaccinations`,
      body: [
        `Dear parent or carer of ${child},`,
        '',
        `Our records show that ${m.givenName} has missed one or more routine vaccinations. Please contact your GP practice to book an appointment.`,
        ...sign,
      ].join('\n'),
    };
  return {
    subject: `${m.purpose === 'CONSENT_REMINDER' ? 'Reminder: consent' : 'Consent'} for ${m.givenName}'s vaccination`,
    body: [
      `Dear parent or carer of ${child},`,
      '',
      m.purpose === 'CONSENT_REMINDER'
        ? `We have not yet had your answer about ${m.givenName}'s ${session}.`
        : `The school immunisation team will offer ${m.givenName} the ${session}.`,
      `Please give or refuse consent${answer} before the session.`,
      ...sign,
    ].join('\n'),
  };
}

/** The plain-text email a mail server sends (Notify sends its own template instead). */
export function plainEmail(m: ClaimedMessage, howToBook: string): { subject: string; body: string } {
  if (!(m.purpose in COMMUNICATION_PURPOSE_LABELS)) return standingEmail(m);
  const purpose = COMMUNICATION_PURPOSE_LABELS[m.purpose as CommunicationPurpose];
  return {
    subject: `${m.campaignName}: ${purpose.toLowerCase()}`,
    body: [
      `Dear ${m.givenName} ${m.familyName},`,
      '',
      `This is about ${m.campaignName} (${purpose.toLowerCase()}).`,
      `${howToBook}.`,
      '',
      `NHS number: ${formatNhsNumber(m.nhsNumber)}`,
      `Reference: ${m.reference}`,
    ].join('\n'),
  };
}

export function newProgress(runId: string, campaignCode: string): SendProgress {
  return {
    runId,
    campaignCode,
    state: 'running',
    claimed: 0,
    sent: 0,
    alreadySent: 0,
    refused: 0,
    fallbacks: 0,
    deferred: 0,
    rate: 0,
    message: null,
  };
}

/** Runs `work` over the items with at most `limit` in flight. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function sendDue(
  o: SenderOptions,
  progress: SendProgress,
  opts: { limit: number | null; signal?: AbortSignal; onProgress?: (p: SendProgress) => void } = { limit: null },
): Promise<SendProgress> {
  const retry = o.retry ?? DEFAULT_RETRY;
  const batchSize = o.batchSize ?? 50;
  const concurrency = o.concurrency ?? 8;
  const lease = o.leaseSeconds ?? 600;
  const defer = o.deferSeconds ?? 300;
  const now = o.now ?? (() => Date.now());
  const started = now();
  let stop: string | null = null;
  let remaining = opts.limit ?? Number.POSITIVE_INFINITY;
  const tick = () => {
    const seconds = (now() - started) / 1000;
    progress.rate = seconds > 0 ? Math.round(((progress.sent + progress.refused) / seconds) * 10) / 10 : 0;
    opts.onProgress?.({ ...progress });
  };

  const dispatch = async (m: ClaimedMessage): Promise<SentMessage> => {
    const personal = personalisation(m, o.howToBook);
    if (m.channel === 'SMS') {
      if (!m.mobile) throw new ProviderError('refused', 'No mobile number to text');
      const templateId = notifyTemplateFor(o.templates, m);
      if (templateId === null) throw new NotNow(`No Notify template id is set for ${m.templateName ?? m.purpose} by text`);
      await o.bucket.take();
      return o.provider.sendSms({ templateId, to: m.mobile, personalisation: personal, reference: m.reference });
    }
    if (m.channel === 'EMAIL') {
      if (!m.email) throw new ProviderError('refused', 'No email address to write to');
      const templateId = notifyTemplateFor(o.templates, m);
      if (templateId === null && o.provider.name === 'NOTIFY')
        throw new NotNow(`No Notify template id is set for ${m.templateName ?? m.purpose} by email`);
      await o.bucket.take();
      return o.provider.sendEmail({
        templateId,
        to: m.email,
        personalisation: personal,
        reference: m.reference,
        ...plainEmail(m, o.howToBook),
      });
    }
    const pdf = await o.letterPdf(m.reference);
    if (pdf === null) throw new NotNow('The letter has not been produced yet');
    await o.bucket.take();
    return o.provider.sendPrecompiledLetter(m.reference, pdf, o.postage);
  };

  const sendOne = async (m: ClaimedMessage): Promise<void> => {
    if (opts.signal?.aborted || stop !== null) {
      await o.repo.release(m.id, 'The run stopped before it was sent.', 0);
      progress.deferred++;
      return;
    }
    if (m.attempts > 1) {
      // An earlier sender may have sent it: ask before sending again.
      const found = await withRetry(async () => {
        await o.bucket.take();
        return o.provider.findByReference(m.reference);
      }, retry).catch((error: unknown) => {
        if (error instanceof ProviderError) return undefined;
        throw error;
      });
      if (found === undefined) {
        // Cannot tell now: leave it held until the lease runs out, and ask again next time.
        progress.deferred++;
        return;
      }
      if (found !== null || o.provider.name === 'SMTP') {
        // A mail server cannot be asked: a message that may have gone is counted as gone.
        await o.repo.sent(m.id, o.provider.name, found?.id ?? `<${m.reference}@ims.invalid>`);
        if (found && found.status !== 'created') await o.repo.delivery(m.reference, found.id, found.status, null);
        progress.alreadySent++;
        return;
      }
    }
    // After a 5xx or no answer the message may have been taken all the same: ask by reference
    // before trying again (a 429 means it was not).
    let mayHaveGone = false;
    const attempt = async (): Promise<SentMessage> => {
      if (mayHaveGone) {
        await o.bucket.take();
        const found = await o.provider.findByReference(m.reference);
        if (found) return { id: found.id };
      }
      try {
        return await dispatch(m);
      } catch (error) {
        mayHaveGone = error instanceof ProviderError && error.kind === 'unavailable';
        throw error;
      }
    };
    let sent: SentMessage;
    try {
      sent = await withRetry(attempt, retry);
    } catch (error) {
      if (error instanceof NotNow) {
        await o.repo.release(m.id, error.message, defer);
        progress.deferred++;
        progress.message ??= error.message;
      } else if (error instanceof ProviderError && error.kind === 'refused') {
        const fallback = await o.repo.refused(m.id, error.message);
        progress.refused++;
        if (fallback !== null) progress.fallbacks++;
      } else if (error instanceof ProviderError && error.kind === 'unauthorised') {
        await o.repo.release(m.id, error.message, 0);
        progress.deferred++;
        stop = `${error.message}: check the API key in the sending settings.`;
      } else if (error instanceof ProviderError) {
        await o.repo.release(m.id, error.message, defer);
        progress.deferred++;
        progress.message ??= `${error.message}; the rest will be tried again later.`;
      } else {
        // Anything else: whether it went is unknown, so the lease is left to run out.
        progress.deferred++;
        stop = 'Sending stopped on an unexpected error.';
        throw error;
      }
      return;
    }
    // Sent: from here on it must never be let go of, only recorded (or left to the lease).
    await o.repo.sent(m.id, o.provider.name, sent.id);
    progress.sent++;
  };

  try {
    while (remaining > 0 && stop === null && !opts.signal?.aborted) {
      const batch = await o.repo.claim(o.campaignCode, o.provider.channels, Math.min(batchSize, remaining), lease, o.today);
      if (batch.length === 0) break;
      remaining -= batch.length;
      progress.claimed += batch.length;
      await inPool(batch, concurrency, sendOne);
      tick();
    }
    progress.state = opts.signal?.aborted ? 'cancelled' : stop !== null ? 'failed' : 'finished';
    if (stop !== null) progress.message = stop;
  } catch (error) {
    progress.state = 'failed';
    progress.message ??= error instanceof Error && error.name === 'AppError' ? error.message : 'Sending stopped on an unexpected error.';
    throw error;
  } finally {
    tick();
  }
  return progress;
}

/** Asks the provider how the campaign's unsettled messages stand and records what changed. */
export async function pollStatuses(
  o: Pick<SenderOptions, 'repo' | 'provider' | 'bucket' | 'campaignCode' | 'retry'>,
  limit = 500,
): Promise<PollResult> {
  const result: PollResult = { checked: 0, changed: 0, fallbacks: 0 };
  if (o.provider.name !== 'NOTIFY') return result;
  const rows = await o.repo.toPoll(o.campaignCode, limit);
  for (const row of rows) {
    const now = await withRetry(async () => {
      await o.bucket.take();
      return o.provider.status(row.providerId);
    }, o.retry ?? DEFAULT_RETRY);
    result.checked++;
    if (now === null) continue;
    const outcome = await o.repo.delivery(row.reference, row.providerId, now.status, null);
    if (outcome?.changed) result.changed++;
    if (outcome?.fallbackId) result.fallbacks++;
  }
  return result;
}

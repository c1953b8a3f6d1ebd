// Sending use cases for a signed-in user or the command line: the settings (read and changed by
// administrators, as the database decides), a send run in the background with progress and
// cancel, a status poll and the campaign's counts. The provider is built from the settings for
// each run, so a changed key takes effect at the next run.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { getCampaign, howToBook, notifyCsv, releaseWaves } from '../campaigns';
import type { CampaignDetail, NotifyExport } from '../contract/campaigns';
import type { ContactChannel } from '../shared/vocabulary/contact';
import type { StandingTemplatePurpose } from '../shared/vocabulary/letters';
import { AppError } from '../contract/result';
import type { PollResult, SendingHandlers, SendingSettingsInput, SendProgress } from '../contract/sending';
import { appRoot, lettersDir } from '../platform/paths';
import { letterReader } from './letter-files';
import { notifyProvider } from './notify.adapter';
import type { MessageProvider } from './provider.port';
import { SendingRepository } from './sending.repository';
import { DEFAULT_RETRY, TokenBucket, type RetryOptions } from './sending.rules';
import { SendingSettingsStore, type SendingSettings } from './settings.store';
import { newProgress, pollStatuses, sendDue } from './sender.service';
import { smtpProvider } from './smtp.adapter';

/** How a run of the messages of no campaign is named where a campaign's code would be. */
const CHILD_HEALTH = 'child-health';

export interface SendingEnvironment {
  settings: () => SendingSettingsStore;
  /**
   * The folder letter production writes to: one precompiled letter per communication, named by
   * its reference (.pdf), in it or in one of its run folders.
   */
  lettersDir: () => string;
  retry: RetryOptions;
  /** Tests may stand in another provider; by default the settings decide. */
  provider?: (s: SendingSettings) => MessageProvider;
}

function repositoryRoot(): string | null {
  try {
    return appRoot();
  } catch {
    return null;
  }
}

export const defaultEnvironment: SendingEnvironment = {
  settings: () => SendingSettingsStore.current(process.env, repositoryRoot()),
  // Where production writes (IMS_LETTERS_DIR, else "IMS letters" in the home folder).
  lettersDir,
  retry: DEFAULT_RETRY,
};

/** The provider the settings name, or UNAVAILABLE saying what is missing. */
export function providerFor(s: SendingSettings): MessageProvider {
  if (s.provider === 'NOTIFY') {
    if (!s.notifyApiKey)
      throw new AppError('UNAVAILABLE', 'Sending through Notify needs an API key: an administrator sets it in the sending settings.');
    return notifyProvider(s.notifyBaseUrl, s.notifyApiKey);
  }
  if (s.provider === 'SMTP') {
    if (!s.smtpHost || !s.smtpFrom)
      throw new AppError(
        'UNAVAILABLE',
        'Sending by email needs a mail server and a from address: an administrator sets them in the sending settings.',
      );
    return smtpProvider({
      host: s.smtpHost,
      port: s.smtpPort,
      secure: s.smtpSecure,
      user: s.smtpUser,
      password: s.smtpPassword,
      from: s.smtpFrom,
    });
  }
  throw new AppError(
    'UNAVAILABLE',
    'Sending is not set up: an administrator chooses GOV.UK Notify or a mail server in the sending settings.',
  );
}

export interface SendRequest {
  /** The campaign; null: the messages of no campaign (children's overdue messages, school consent). */
  campaignCode: string | null;
  limit: number | null;
  today: string;
  signal?: AbortSignal;
  onProgress?: (p: SendProgress) => void;
}

/** One send run to the end (the command line waits for it; the channel runs it in the background). */
export async function sendCampaign(ds: DataSource, req: SendRequest, env: SendingEnvironment = defaultEnvironment): Promise<SendProgress> {
  const settings = env.settings().load();
  const provider = (env.provider ?? providerFor)(settings);
  let campaign: CampaignDetail | null = null;
  if (req.campaignCode !== null) {
    campaign = await getCampaign(ds, req.campaignCode);
    // What is due today includes the waves planned for today: release them first (as an export does).
    await releaseWaves(ds, campaign.code, req.today);
  }
  const progress = newProgress(randomUUID(), campaign?.code ?? CHILD_HEALTH);
  return sendDue(
    {
      repo: new SendingRepository(ds),
      provider,
      bucket: new TokenBucket(settings.ratePerMinute),
      templates: settings.templates,
      postage: settings.postage,
      letterPdf: letterReader(env.lettersDir()),
      campaignCode: campaign?.code ?? null,
      today: req.today,
      howToBook: campaign ? howToBook(campaign) : '',
      retry: env.retry,
    },
    progress,
    { limit: req.limit, ...(req.signal ? { signal: req.signal } : {}), ...(req.onProgress ? { onProgress: req.onProgress } : {}) },
  );
}

/** Asks Notify about a campaign's unsettled messages, or with a null code those of no campaign. */
export async function pollCampaign(
  ds: DataSource,
  campaignCode: string | null,
  env: SendingEnvironment = defaultEnvironment,
): Promise<PollResult> {
  const settings = env.settings().load();
  const provider = (env.provider ?? providerFor)(settings);
  const code = campaignCode === null ? null : (await getCampaign(ds, campaignCode)).code;
  return pollStatuses({
    repo: new SendingRepository(ds),
    provider,
    bucket: new TokenBucket(settings.ratePerMinute),
    campaignCode: code,
    retry: env.retry,
  });
}

/**
 * GOV.UK Notify's bulk-send file of the pending messages of no campaign of one purpose and
 * channel (children's overdue messages, school consent requests or reminders), with the school's
 * and the child health service's personalisation; marked sent when asked, so they are not sent
 * again by the sender.
 */
export async function exportChildHealthNotify(
  ds: DataSource,
  input: { purpose: StandingTemplatePurpose; channel: ContactChannel; markSent: boolean },
  today: string,
): Promise<NotifyExport> {
  return ds.transaction(async (tx) => {
    const repo = new SendingRepository(tx);
    const service = await repo.childHealthContact();
    const rows = await repo.exportRows(input.purpose, input.channel, today, input.markSent);
    const csv = notifyCsv(input.channel, { name: 'Child health', howToBook: '' }, rows, {
      organisation: service.organisationName,
      consentLink: service.consentLink,
      consentPhone: service.consentPhone,
    });
    return { fileName: `${CHILD_HEALTH}-${input.purpose}-${input.channel}-${today}.csv`, csv, rows: rows.length };
  });
}

async function saveSendingSettings(ds: DataSource, input: SendingSettingsInput, env: SendingEnvironment = defaultEnvironment) {
  await new SendingRepository(ds).mayConfigure();
  const store = env.settings();
  return store.view(store.save(input));
}

interface Run {
  progress: SendProgress;
  controller: AbortController;
}

/** The handlers for the sending channels, bound to a signed-in user's connection. */
export function createSendingHandlers(
  ds: DataSource,
  today: () => string,
  log: (message: string, error?: unknown) => void = () => {},
  env: SendingEnvironment = defaultEnvironment,
): SendingHandlers {
  const repo = new SendingRepository(ds);
  const runs = new Map<string, Run>();
  const running = new Map<string, string>();
  const runFor = (runId: string): Run => {
    const run = runs.get(runId);
    if (!run) throw new AppError('NOT_FOUND', 'No send run with that id is available to you.');
    return run;
  };
  return {
    'sending.settings.get': async () => {
      await repo.mayConfigure();
      return env.settings().view();
    },
    'sending.settings.save': (i) => saveSendingSettings(ds, i, env),
    'communications.send': async (i) => {
      const key = i.campaignCode ?? CHILD_HEALTH;
      const busy = running.get(key);
      if (busy) return { ...runFor(busy).progress };
      // Checks the settings, the campaign and the caller's right to run it before answering.
      const settings = env.settings().load();
      (env.provider ?? providerFor)(settings);
      if (i.campaignCode !== null) await getCampaign(ds, i.campaignCode);
      await repo.toPoll(i.campaignCode, 1);
      const controller = new AbortController();
      let run: Run | null = null;
      const started = sendCampaign(
        ds,
        {
          campaignCode: i.campaignCode,
          limit: i.limit,
          today: today(),
          signal: controller.signal,
          onProgress: (p) => {
            if (run) run.progress = { ...p, runId: run.progress.runId };
          },
        },
        env,
      );
      run = { progress: { ...newProgress(randomUUID(), key) }, controller };
      runs.set(run.progress.runId, run);
      running.set(key, run.progress.runId);
      const thisRun = run;
      started
        .then((p) => {
          thisRun.progress = { ...p, runId: thisRun.progress.runId };
        })
        .catch((error: unknown) => {
          log('A send run stopped', error instanceof AppError ? error.message : (error as Error)?.name);
          thisRun.progress = {
            ...thisRun.progress,
            state: 'failed',
            message: error instanceof AppError ? error.message : 'Sending stopped on an unexpected error.',
          };
        })
        .finally(() => running.delete(key));
      return { ...run.progress };
    },
    'communications.send.progress': async (i) => ({ ...runFor(i.runId).progress }),
    'communications.send.cancel': async (i) => {
      const run = runFor(i.runId);
      run.controller.abort();
      return { ...run.progress };
    },
    'communications.poll': (i) => pollCampaign(ds, i.campaignCode, env),
    'communications.counts': (i) => repo.counts(i.campaignCode),
  };
}

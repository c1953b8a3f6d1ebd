// `ims send`, `ims poll-statuses` and `ims notify-callbacks`: sending a campaign's due messages
// (or with --child-health those of no campaign: children's overdue messages, school consent)
// headless (a scheduled job on a server), asking Notify how they fared, and receiving Notify's
// delivery callbacks. They run as the schema owner through the same api functions and checks as
// the application; the keys come from the encrypted sending settings (IMS_SENDING_DIR, and the key
// file IMS_SENDING_KEY_FILE), never from the command line or the logs.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CampaignCode } from '../../contract/campaigns';
import { AppError } from '../../contract/result';
import type { SendProgress } from '../../contract/sending';
import { withOwnerDatabase, openOwnerDataSource } from '../../platform/db/datasource';
import { todayInLondon } from '../../shared/calendar/england';
import {
  defaultEnvironment,
  exportChildHealthNotify,
  pollCampaign,
  sendCampaign,
  SendingRepository,
  startCallbackReceiver,
} from '../../sending';
import { ContactChannel } from '../../shared/vocabulary/contact';
import { StandingTemplatePurpose } from '../../shared/vocabulary/letters';
import type { CliContext } from '../context';

const APPLICATION_NAME = 'IMS send';

function code(value: string): string {
  const r = CampaignCode.safeParse(value);
  if (!r.success) throw new AppError('VALIDATION', `--campaign: ${r.error.issues[0]?.message ?? 'not a campaign code'}`);
  return r.data;
}

/** The campaign named, or null for --child-health (the messages of no campaign); one of the two. */
function which(opts: { campaign?: string; childHealth?: boolean }): string | null {
  if ((opts.campaign === undefined) === !opts.childHealth)
    throw new AppError('VALIDATION', 'Name a --campaign, or --child-health for the messages of no campaign');
  return opts.childHealth ? null : code(opts.campaign!);
}

const CHILD_HEALTH_OPTION =
  "instead of a campaign's, the messages of no campaign: children's overdue messages, school consent requests and reminders";

function line(p: SendProgress): string {
  const parts = [`${p.sent} sent`];
  if (p.alreadySent) parts.push(`${p.alreadySent} found already sent`);
  if (p.refused) parts.push(`${p.refused} refused (${p.fallbacks} falling back to another channel)`);
  if (p.deferred) parts.push(`${p.deferred} left for later`);
  return `${parts.join(', ')}; ${p.rate} a second.`;
}

export function registerSendCommands(program: Command, ctx: CliContext): void {
  program
    .command('send')
    .description(
      "Send a campaign's due messages through GOV.UK Notify or the mail server in the sending settings (safe to run again or twice at once)",
    )
    .option('--campaign <code>', 'the campaign')
    .option('--child-health', CHILD_HEALTH_OPTION)
    .option('--limit <n>', 'at most this many messages')
    .action(async (opts: { campaign?: string; childHealth?: boolean; limit?: string }) => {
      const campaignCode = which(opts);
      const limit = opts.limit === undefined ? null : Number(opts.limit);
      if (limit !== null && (!Number.isInteger(limit) || limit < 1)) throw new AppError('VALIDATION', '--limit: a whole number above 0');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const p = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
          sendCampaign(ds, {
            campaignCode,
            limit,
            today: todayInLondon(),
            signal: controller.signal,
            onProgress: (x) => process.stderr.write(`${x.claimed} taken: ${line(x)}\n`),
          }),
        );
        ctx.print(`${p.state === 'cancelled' ? 'Stopped' : 'Done'}: ${line(p)}${p.message ? `\n${p.message}` : ''}`);
        if (p.state === 'failed') throw new AppError('UNAVAILABLE', p.message ?? 'Sending stopped.');
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
  program
    .command('poll-statuses')
    .description("Ask Notify how a campaign's sent messages fared, record it, and fall back where a message failed for good")
    .option('--campaign <code>', 'the campaign')
    .option('--child-health', CHILD_HEALTH_OPTION)
    .action(async (opts: { campaign?: string; childHealth?: boolean }) => {
      const campaignCode = which(opts);
      const r = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => pollCampaign(ds, campaignCode));
      ctx.print(`${r.checked} checked, ${r.changed} changed, ${r.fallbacks} falling back to another channel.`);
    });
  program
    .command('child-health-export')
    .description(
      "GOV.UK Notify's bulk-send CSV of the pending messages of no campaign of one purpose and channel (marked sent, so the sender leaves them)",
    )
    .requiredOption('--purpose <purpose>', 'CHILD_OVERDUE, CONSENT_REQUEST or CONSENT_REMINDER')
    .requiredOption('--channel <channel>', 'SMS, EMAIL or LETTER')
    .option('--no-mark-sent', 'leave the messages pending (a trial export)')
    .option('--out <file>', 'write to this file rather than to standard output')
    .action(async (opts: { purpose: string; channel: string; markSent: boolean; out?: string }) => {
      const purpose = StandingTemplatePurpose.safeParse(opts.purpose.toUpperCase());
      const channel = ContactChannel.safeParse(opts.channel.toUpperCase());
      if (!purpose.success) throw new AppError('VALIDATION', '--purpose: CHILD_OVERDUE, CONSENT_REQUEST or CONSENT_REMINDER');
      if (!channel.success) throw new AppError('VALIDATION', '--channel: SMS, EMAIL or LETTER');
      const result = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
        exportChildHealthNotify(ds, { purpose: purpose.data, channel: channel.data, markSent: opts.markSent }, todayInLondon()),
      );
      if (opts.out === undefined) {
        ctx.print(result.csv);
        return;
      }
      writeFileSync(opts.out, result.csv, { encoding: 'utf8', mode: 0o600 });
      ctx.print(
        `${result.rows} ${result.rows === 1 ? 'message' : 'messages'} written to ${opts.out}${opts.markSent ? ' and marked sent' : ''}.`,
      );
    });
  program
    .command('child-health-contact')
    .description(
      "Show, or change (administrators), how children's overdue messages and school consent messages name the child health service: its name, consent link and phone",
    )
    .option('--name <name>', "the service's name, as messages sign off")
    .option('--consent-link <url>', 'where parents give or refuse consent online (https://...; "" for none)')
    .option('--consent-phone <number>', 'the phone number for consent and questions ("" for none)')
    .action(async (opts: { name?: string; consentLink?: string; consentPhone?: string }) => {
      const c = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, async (ds) => {
        const repo = new SendingRepository(ds);
        const now = await repo.childHealthContact();
        if (opts.name === undefined && opts.consentLink === undefined && opts.consentPhone === undefined) return now;
        return repo.saveChildHealthContact({
          organisationName: opts.name ?? now.organisationName,
          consentLink: opts.consentLink ?? now.consentLink,
          consentPhone: opts.consentPhone ?? now.consentPhone,
        });
      });
      ctx.print(`${c.organisationName}; consent link: ${c.consentLink ?? 'none'}; phone: ${c.consentPhone ?? 'none'}`);
    });
  program
    .command('notify-callbacks')
    .description("Receive Notify's delivery callbacks (POST /notify/callback with the callback token of the sending settings)")
    .option('--host <address>', 'the address to listen on', '127.0.0.1')
    .option('--port <n>', 'the port to listen on', '8091')
    .action(async (opts: { host: string; port: string }) => {
      const token = defaultEnvironment.settings().load().callbackToken;
      if (!token) throw new AppError('UNAVAILABLE', 'Set a callback token in the sending settings first.');
      const ds = await openOwnerDataSource(await ctx.ownerUrl(), 'IMS Notify callbacks');
      const repo = new SendingRepository(ds);
      const receiver = await startCallbackReceiver({
        token,
        host: opts.host,
        port: Number(opts.port),
        record: (reference, id, status) => repo.delivery(reference, id, status, null),
        log: (m) => process.stderr.write(`${m}\n`),
      });
      ctx.print(`Receiving Notify callbacks at ${receiver.url} (Ctrl+C to stop).`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await receiver.close();
      await ds.destroy();
    });
}

// `ims campaign ...` and `ims run-reminders`: the campaign work scripts and support staff run
// from the command line (scheduled reminders, a Notify export, a booking system's file). They
// run as the schema owner, through the same api functions and checks as the application.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { CampaignCode, CampaignSaveInput, NotifyExportInput } from '../../contract/campaigns';
import { isoDate } from '../../contract/common';
import { AppError } from '../../contract/result';
import { exportNotify, importBookings, listCampaigns, runRecall, runReminders, saveCampaign } from '../../campaigns';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { todayInLondon } from '../../shared/calendar/england';
import type { CliContext } from '../context';

const APPLICATION_NAME = 'IMS campaign';

/** A value checked by the contract's schema, or a VALIDATION error naming the option at fault. */
export function checked<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
  throw new AppError('VALIDATION', `${what}: ${issues.join('; ')}`);
}

const todayOption = (today: string | undefined): string => (today === undefined ? todayInLondon() : checked(isoDate, today, '--today'));

interface ExportOptions {
  campaign: string;
  channel: string;
  purpose?: string;
  batch?: string;
  dueBy?: string;
  markSent: boolean;
  out?: string;
}

async function runExport(ctx: CliContext, opts: ExportOptions): Promise<void> {
  const input = checked(
    NotifyExportInput,
    {
      campaignCode: opts.campaign,
      channel: opts.channel.toUpperCase(),
      purpose: opts.purpose?.toUpperCase(),
      batchId: opts.batch === undefined ? null : Number(opts.batch),
      dueBy: opts.dueBy ?? null,
      markSent: opts.markSent,
    },
    'export-notify',
  );
  const result = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => exportNotify(ds, input, todayInLondon()));
  if (opts.out === undefined) {
    ctx.print(result.csv);
    return;
  }
  writeFileSync(opts.out, result.csv, { encoding: 'utf8', mode: 0o600 });
  ctx.print(
    `${result.rows} ${result.rows === 1 ? 'message' : 'messages'} written to ${opts.out}${input.markSent ? ' and marked sent' : ''}.`,
  );
}

async function runImport(ctx: CliContext, file: string, opts: { campaign: string }): Promise<void> {
  const code = checked(CampaignCode, opts.campaign, '--campaign');
  let csv: string;
  try {
    csv = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('VALIDATION', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const r = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => importBookings(ds, code, csv));
    ctx.print(`${r.added} added, ${r.updated} updated, ${r.followUps} did-not-attend follow-up${r.followUps === 1 ? '' : 's'} made.`);
  } catch (error) {
    if (error instanceof AppError && error.details?.kind === 'rows') {
      const lines = error.details.rows.map((r) => `  row ${r.row}${r.field ? `, ${r.field}` : ''}: ${r.message}`);
      throw new AppError('VALIDATION', `${error.message}\n${lines.join('\n')}`);
    }
    throw error;
  }
}

/** Creates or replaces a campaign from a JSON file in the shape of the campaign.save channel. */
async function runSave(ctx: CliContext, file: string): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('VALIDATION', `Cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const input = checked(CampaignSaveInput, json, file);
  const saved = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => saveCampaign(ds, input));
  ctx.print(
    `Saved ${saved.code} (${saved.name}): ${saved.channels.join(', ')}; ${saved.templates.length} templates, ` +
      `${saved.reminderRules.filter((r) => r.active).length} reminder rules.`,
  );
}

export function registerCampaignCommands(program: Command, ctx: CliContext): void {
  const campaign = program.command('campaign').description('Campaigns: invitations, reminders, recall and bookings');
  campaign
    .command('save')
    .argument('<file>', 'a campaign as JSON: code, name, programmeCode, organisationCode, channels, bookingRoute, templates, reminderRules')
    .description('Create a campaign or replace its set-up (exit code 2 when the file is not valid)')
    .action((file: string) => runSave(ctx, file));
  campaign
    .command('list')
    .description('List the campaigns with how many are invited and booked')
    .action(async () => {
      const rows = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => listCampaigns(ds));
      if (rows.length === 0) return ctx.print('No campaigns.');
      for (const c of rows)
        ctx.print(`${c.code}  ${c.name}  (${c.programmeCode}, ${c.organisationCode})  invited ${c.invited}, booked ${c.booked}`);
    });
  campaign
    .command('export-notify')
    .description('Write the pending messages of a campaign as a GOV.UK Notify bulk-send CSV (and mark them sent)')
    .requiredOption('--campaign <code>', 'the campaign')
    .requiredOption('--channel <channel>', 'SMS, EMAIL or LETTER')
    .option('--purpose <purpose>', 'INVITATION (default), REMINDER, RECALL or DID_NOT_ATTEND')
    .option('--batch <id>', 'only this invitation batch')
    .option('--due-by <date>', 'invitations planned for release up to this date (YYYY-MM-DD); today by default')
    .option('--no-mark-sent', 'leave the messages pending (a trial export)')
    .option('--out <file>', 'write to this file rather than to standard output')
    .action((opts: ExportOptions) => runExport(ctx, opts));
  campaign
    .command('import-bookings')
    .argument('<file>', "a booking system's CSV: nhs_number, date, status, reference")
    .description('Import bookings; every bad row is listed and then nothing is imported (exit code 2)')
    .requiredOption('--campaign <code>', 'the campaign the bookings are for')
    .action((file: string, opts: { campaign: string }) => runImport(ctx, file, opts));
  campaign
    .command('recall')
    .description("Put people whose next dose has fallen due in the campaign's recall queue")
    .requiredOption('--campaign <code>', 'the campaign')
    .option('--today <date>', "today's date in England (YYYY-MM-DD), for a catch-up run")
    .action(async (opts: { campaign: string; today?: string }) => {
      const code = checked(CampaignCode, opts.campaign, '--campaign');
      const today = todayOption(opts.today);
      const n = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => runRecall(ds, code, today));
      ctx.print(`${n} ${n === 1 ? 'person' : 'people'} added to the recall queue.`);
    });
  program
    .command('run-reminders')
    .description(
      "The daily run: release the waves due today (their invitation messages), make the reminders due under each campaign's rules, and the school consent reminders of sessions in the next 7 days (safe to run again or at the same time)",
    )
    .option('--campaign <code>', 'only this campaign')
    .option('--today <date>', "today's date in England (YYYY-MM-DD), for a catch-up run")
    .action(async (opts: { campaign?: string; today?: string }) => {
      const code = opts.campaign === undefined ? null : checked(CampaignCode, opts.campaign, '--campaign');
      const today = todayOption(opts.today);
      const n = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => runReminders(ds, code, today));
      const consent =
        n.consentReminders === null
          ? ''
          : `, ${n.consentReminders} school consent ${n.consentReminders === 1 ? 'reminder' : 'reminders'} made`;
      ctx.print(
        `${n.released} ${n.released === 1 ? 'invitation' : 'invitations'} released, ${n.reminders} ${n.reminders === 1 ? 'reminder' : 'reminders'} made${consent}.`,
      );
    });
}

// `ims export vaccination-batch`, `ims export gp-updates`, `ims export fhir` and `ims import fhir`:
// the exchange files, headless (a scheduled job on a server). They run as the schema owner
// through the same api functions as the application; each batch export records what it sent, so
// running it again sends only what changed since, and two runs at once are refused.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import { exportGpUpdates, exportPeriodFhir, exportVaccinationBatch, importFhir, type ExportSummary } from '../../exchange';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { dayOf } from '../../shared/calendar/dates';
import { todayInLondon } from '../../shared/calendar/england';
import type { CliContext } from '../context';

const APPLICATION_NAME = 'IMS exchange';
const ODS = /^[A-Z0-9]{3,10}$/;

function ods(value: string, option: string): string {
  const v = value.trim().toUpperCase();
  if (!ODS.test(v)) throw new AppError('VALIDATION', `${option}: an ODS code (3 to 10 letters and digits)`);
  return v;
}

function day(value: string, option: string): string {
  if (dayOf(value) === null) throw new AppError('VALIDATION', `${option}: a date written YYYY-MM-DD`);
  return value;
}

function report(ctx: CliContext, s: ExportSummary): void {
  for (const f of s.files)
    ctx.print(`${f.file}: ${f.rows} rows (${f.actions.NEW} new, ${f.actions.UPDATE} updated, ${f.actions.DELETE} deleted)`);
  if (s.files.length === 0) ctx.print('Nothing new to send.');
  for (const h of s.held) ctx.print(`Held back, event ${h.eventId}: ${h.reason} (it goes in the next file once fixed).`);
}

export function registerExchangeCommands(program: Command, ctx: CliContext): void {
  const exp = program.command('export').description('Vaccination files for other systems');
  exp
    .command('vaccination-batch')
    .description("This organisation's given doses not yet submitted, as NHS vaccination batch files (v5), one per vaccine type")
    .requiredOption('--ods <code>', "the organisation's ODS code (the events it gave, and the file names)")
    .option('--out <dir>', 'the folder to write to', '.')
    .action(async (opts: { ods: string; out: string }) => {
      const code = ods(opts.ods, '--ods');
      const s = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
        exportVaccinationBatch(ds, code, resolve(opts.out), new Date()),
      );
      report(ctx, s);
    });
  exp
    .command('gp-updates')
    .description('For each GP practice, a file (v5 layout) of the doses its patients were given elsewhere since its last file')
    .option('--out <dir>', 'the folder to write to', '.')
    .option('--practice <code...>', 'only these practices')
    .action(async (opts: { out: string; practice?: string[] }) => {
      const practices = opts.practice?.map((p) => ods(p, '--practice'));
      const s = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
        exportGpUpdates(ds, resolve(opts.out), new Date(), practices),
      );
      report(ctx, s);
    });
  exp
    .command('fhir')
    .description('The events an organisation gave in a period, as a FHIR R4 Bundle')
    .requiredOption('--org <code>', 'the organisation (ODS code)')
    .requiredOption('--from <date>', 'the first day (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'the last day (YYYY-MM-DD)')
    .option('--out <file>', 'the file to write (else standard output)')
    .option('--national', 'completed doses only, no reactions (as the national service takes them)')
    .action(async (opts: { org: string; from: string; to: string; out?: string; national?: boolean }) => {
      const input = {
        org: ods(opts.org, '--org'),
        from: day(opts.from, '--from'),
        to: day(opts.to, '--to'),
        includeNotGiven: !opts.national,
        includeReactions: !opts.national,
      };
      const text = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => exportPeriodFhir(ds, input, new Date()));
      if (opts.out) await writeFile(resolve(opts.out), text, 'utf8');
      else ctx.print(text);
    });
}

/**
 * `ims import fhir FILE` (wired in by the import command): a FHIR R4 Immunization or a Bundle of
 * them; people not matched for certain wait in the review queue.
 */
export async function runFhirImport(ctx: CliContext, file: string): Promise<void> {
  const text = await readFile(resolve(file), 'utf8');
  const r = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => importFhir(ds, text, todayInLondon()));
  for (const x of r.results) ctx.print(`${x.path} (${x.sourceId}): ${x.outcome}${x.reason ? `: ${x.reason}` : ''}`);
}

// `ims letters produce`: a campaign's pending letters (or, with --child-health, the letters of no
// campaign: children's overdue letters, school consent requests and reminders) as print-ready PDF files and a manifest,
// drawn in worker threads, with progress on standard error. It runs as the schema owner through
// the same api functions as the application; stopped (Ctrl+C) it cancels cleanly, and run again
// after a crash it resumes the open run without producing any letter twice.
import type { Command } from 'commander';
import { ProductionStartInput, type ProductionProgress } from '../../contract/letters';
import { AppError } from '../../contract/result';
import { startProduction } from '../../letters';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { todayInLondon } from '../../shared/calendar/england';
import type { CliContext } from '../context';
import { checked } from './campaign';

const APPLICATION_NAME = 'IMS letters';

interface ProduceOptions {
  campaign?: string;
  childHealth?: boolean;
  out: string;
  layout: string;
  perFile?: string;
  purpose?: string;
  dueBy?: string;
  largePrint?: boolean;
  workers?: string;
}

function line(p: ProductionProgress): string {
  const done = p.produced + p.failed;
  const left = p.secondsLeft === null ? '' : `, about ${p.secondsLeft} s left`;
  return `${done} of ${p.total} letters (${p.failed} failed), ${p.lettersPerSecond} a second${left}`;
}

async function produce(ctx: CliContext, opts: ProduceOptions): Promise<void> {
  if ((opts.campaign === undefined) === !opts.childHealth)
    throw new AppError('VALIDATION', 'letters produce: name a --campaign, or --child-health for the letters of no campaign');
  const input = checked(
    ProductionStartInput,
    {
      campaignCode: opts.childHealth ? null : opts.campaign,
      layout: opts.layout.toUpperCase().replace('-', '_'),
      perFile: opts.perFile === undefined ? undefined : Number(opts.perFile),
      purpose: opts.purpose?.toUpperCase() ?? null,
      dueBy: opts.dueBy ?? todayInLondon(),
      largePrint: opts.largePrint ?? false,
    },
    'letters produce',
  );
  const workers = opts.workers === undefined ? undefined : Math.max(0, Math.min(16, Number(opts.workers) || 0));
  await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, async (ds) => {
    let last = 0;
    const run = await startProduction(ds, input, {
      outDir: opts.out,
      today: todayInLondon(),
      workers,
      onProgress: (p) => {
        if (performance.now() - last < 1000 && p.state === 'running') return;
        last = performance.now();
        process.stderr.write(`${line(p)}\n`);
      },
    });
    const stop = () => {
      process.stderr.write('Stopping: letters already written are kept; the rest return to the queue.\n');
      run.cancel();
    };
    process.once('SIGINT', stop);
    ctx.print(`${run.progress().resumed ? 'Resuming' : 'Starting'} letter run ${run.runId} into ${run.folder}`);
    const end = await run.done;
    process.off('SIGINT', stop);
    for (const f of end.failures) ctx.print(`  not produced: person ${f.personId}: ${f.reason}`);
    if (end.state === 'failed') throw new Error(`${end.error ?? 'Letter production stopped.'} Run the command again to resume.`);
    ctx.print(
      `${end.state === 'cancelled' ? 'Cancelled' : 'Done'}: ${end.produced} letters produced, ${end.failed} not produced` +
        (end.manifest ? `; manifest ${end.manifest}` : ''),
    );
  });
}

export function registerLetterCommands(program: Command, ctx: CliContext): void {
  const letters = program.command('letters').description('Letters: print-ready PDFs of pending letter communications');
  letters
    .command('produce')
    .description('Produce a campaign\u2019s pending letters as PDF files with a manifest (resumes an interrupted run)')
    .option('--campaign <code>', 'the campaign')
    .option(
      '--child-health',
      "instead of a campaign's, the letters of no campaign: children's overdue letters, school consent requests and reminders",
    )
    .requiredOption('--out <dir>', 'the folder to write into (a folder per run is made inside it)')
    .option('--layout <layout>', 'batch (files of many letters, for a mailing house) or per-letter (Notify precompiled)', 'batch')
    .option('--per-file <n>', 'letters in each file (default 1000)')
    .option('--purpose <purpose>', 'only INVITATION, REMINDER, RECALL or DID_NOT_ATTEND letters')
    .option('--due-by <date>', 'invitations planned for release up to this date (YYYY-MM-DD); today by default')
    .option('--large-print', 'print every letter in large print')
    .option('--workers <n>', 'worker threads (0 draws on the main thread); one per core by default')
    .action((opts: ProduceOptions) => produce(ctx, opts));
}

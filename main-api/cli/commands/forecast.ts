// `ims forecast`: one person's schedule status with the reasons, as the record screen shows
// it, or a refresh of the maintained status table for the whole register.
import type { Command } from 'commander';
import type { ForecastView } from '../../contract/forecast';
import { AppError } from '../../contract/result';
import { checkNhsNumber, formatNhsNumber } from '../../shared/identifiers/nhs-number';
import { refreshAllStatuses, type RefreshProgress, type RefreshReport } from '../../schedule-status';
import { openForecastByNhsNumber, type PersonHeading } from '../../forecast';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { effectiveRulesOn } from '../../schedule';
import { todayInLondon } from '../../shared/calendar/england';
import type { CliContext } from '../context';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const statusWord = (s: string): string => s.replace(/_/g, ' ');

/** The forecast as text: a table per series and campaign, then the reasons behind each. */
function formatForecast(view: ForecastView, person: PersonHeading): string {
  const lines: string[] = [];
  lines.push(`${person.name}, NHS number ${formatNhsNumber(person.nhsNumber)}, born ${person.dateOfBirth}`);
  lines.push(`Schedule status on ${view.asOf} (rules: ${view.rulesVersion})`);
  lines.push('');
  lines.push(
    table([
      ['SERIES', 'STATUS', 'NEXT DOSE', 'DUE', 'OVERDUE FROM', 'LATEST', 'COUNTED'],
      ...view.series.map((s) => [
        s.name,
        statusWord(s.status),
        s.nextDose === null ? '-' : `${s.nextDose}${s.nextProduct ? ` (${s.nextProduct})` : ''}`,
        s.dueDate ?? '-',
        s.overdueFrom ?? '-',
        s.latestDate ?? '-',
        String(s.dosesCounted.length),
      ]),
    ]),
  );
  if (view.campaigns.length > 0) {
    lines.push('');
    lines.push(
      table([
        ['CAMPAIGN', 'STATUS', 'ELIGIBLE', 'GIVEN ON'],
        ...view.campaigns.map((c) => [
          c.name,
          statusWord(c.status),
          c.eligible ? 'yes' : c.eligibleFrom ? `from ${c.eligibleFrom}` : 'no',
          c.givenOn ?? '-',
        ]),
      ]),
    );
  }
  lines.push('');
  lines.push('Why:');
  for (const s of view.series) {
    lines.push('');
    lines.push(`${s.name}: ${statusWord(s.status)} (${s.rules})`);
    for (const e of s.explanation) lines.push(`  - ${e}`);
    for (const d of s.dosesIgnored) lines.push(`  - Not counted: ${d.date}${d.product ? ` ${d.product}` : ''}: ${d.reason}`);
  }
  for (const c of view.campaigns) {
    lines.push('');
    lines.push(`${c.name}: ${statusWord(c.status)} (v${c.version})`);
    for (const r of c.reasons) lines.push(`  - Eligible: ${r}`);
    for (const e of c.explanation) lines.push(`  - ${e}`);
  }
  return lines.join('\n');
}

function formatRefreshReport(r: RefreshReport): string {
  const lines = [
    `Refreshed the schedule status of ${r.persons.toLocaleString('en-GB')} persons on ${r.asOf} in ${r.seconds.toFixed(1)} s ` +
      `(${Math.round(r.persons / Math.max(r.seconds, 0.001)).toLocaleString('en-GB')} persons a second); ${r.rows.toLocaleString('en-GB')} status rows.`,
    `Rules: ${r.rulesVersion}`,
  ];
  if (r.caughtUp > 0) lines.push(`${r.caughtUp} person(s) changed during the refresh and were recomputed.`);
  if (r.failed.count > 0) {
    lines.push(
      `${r.failed.count} person(s) could not be assessed and have no status rows (first: record ${r.failed.personIds.join(', ')}): ${r.failed.firstError ?? ''}`,
    );
  }
  return lines.join('\n');
}

function progressLine(p: RefreshProgress): string {
  if (p.phase === 'reading') {
    const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
    return `Assessing ${p.done.toLocaleString('en-GB')} of ${p.total.toLocaleString('en-GB')} persons (${pct}%)`;
  }
  const words: Record<RefreshProgress['phase'], string> = {
    reading: '',
    keeping: 'Keeping the status of persons outside this refresh',
    indexing: 'Indexing the new status table',
    'cohort-facts': 'Rebuilding the cohort counts',
    swapping: 'Switching to the new status table',
    'child-register': 'Rebuilding the child register',
    'catching-up': 'Recomputing persons changed meanwhile',
    done: 'Done',
  };
  return words[p.phase];
}

export interface ForecastCommandOptions {
  nhsNumber?: string;
  on?: string;
  json?: boolean;
  refreshAll?: boolean;
  maxAgeYears?: string;
}

/** The command's work, separate from argument parsing so it can be run directly. */
export async function runForecastCommand(ctx: CliContext, opts: ForecastCommandOptions, progress: (line: string) => void): Promise<void> {
  if (opts.on !== undefined && !ISO_DATE.test(opts.on)) throw new AppError('VALIDATION', `--on ${opts.on}: write the date as YYYY-MM-DD.`);
  const on = opts.on ?? todayInLondon();
  if (Boolean(opts.refreshAll) === (opts.nhsNumber !== undefined)) {
    throw new AppError('VALIDATION', 'Give either --nhs-number N to show one person, or --refresh-all.');
  }
  if (opts.refreshAll) {
    let maxAgeYears: number | undefined;
    if (opts.maxAgeYears !== undefined) {
      maxAgeYears = Number(opts.maxAgeYears);
      if (!Number.isInteger(maxAgeYears) || maxAgeYears < 1)
        throw new AppError('VALIDATION', '--max-age-years must be a whole number of years.');
    }
    const report = await refreshAllStatuses(await ctx.ownerUrl(), { asOf: on, maxAgeYears, onProgress: (p) => progress(progressLine(p)) });
    ctx.print(formatRefreshReport(report));
    return;
  }
  const nhs = checkNhsNumber(opts.nhsNumber as string);
  if (!nhs.valid) throw new AppError('VALIDATION', nhs.message);
  const { person, view } = await withOwnerDatabase(await ctx.ownerUrl(), 'IMS forecast', (ds) =>
    openForecastByNhsNumber(ds, effectiveRulesOn(ds), nhs.value, on),
  );
  ctx.print(opts.json ? JSON.stringify(view, null, 2) : formatForecast(view, person));
}

export function registerForecastCommands(program: Command, ctx: CliContext): void {
  program
    .command('forecast')
    .description("Show a person's schedule status with the reasons, or refresh the status table used by worklists (needs the schema owner)")
    .option('--nhs-number <number>', 'the person to show')
    .option('--on <date>', 'assess on this date (YYYY-MM-DD); today by default')
    .option('--json', 'print the same data the application receives')
    .option('--refresh-all', 'recompute the status of everyone on the register')
    .option('--max-age-years <n>', 'with --refresh-all: only persons younger than this (e.g. 19 for children)')
    .action(async (opts: ForecastCommandOptions) => {
      // One updating line on a terminal; one line per update when stderr goes to a log.
      const tty = process.stderr.isTTY === true;
      let shown = false;
      await runForecastCommand(ctx, opts, (line) => {
        process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
        shown = true;
      });
      if (shown && tty) process.stderr.write('\n');
    });
}

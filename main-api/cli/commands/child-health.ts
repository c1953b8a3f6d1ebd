// `ims child-register export`: the child register, filtered as on the screen, as CSV (every row's
// read audited for an application user), and `ims worklists`: the worklists with their open
// counts. As the role IMS_DATABASE_URL names.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ChildFilter } from '../../contract/worklists';
import { AppError } from '../../contract/result';
import { openDataSource } from '../../platform/db/datasource';
import { effectiveRulesOn } from '../../schedule';
import { todayInLondon } from '../../shared/calendar/england';
import { ChildSort } from '../../shared/vocabulary/child-health';
import { createWorklistHandlers } from '../../worklists';
import type { CliContext } from '../context';

interface ExportOptions {
  practice?: string;
  la?: string;
  district?: string;
  school?: string;
  year?: string;
  age?: string;
  status?: string;
  minDays?: string;
  maxDays?: string;
  sort: string;
  out?: string;
}

const list = (text: string | undefined): string[] | undefined => (text === undefined ? undefined : text.split(',').map((s) => s.trim()));
const whole = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));

/** The options as the contract's filter, each fault named as the screen would name it. */
export function filterFromOptions(opts: ExportOptions): { filter: ChildFilter; sort: ChildSort } {
  const parsed = ChildFilter.safeParse({
    practices: list(opts.practice),
    localAuthorities: list(opts.la),
    districts: list(opts.district),
    schools: list(opts.school),
    yearGroups: list(opts.year)?.map(Number),
    ageBands: list(opts.age),
    statuses: list(opts.status),
    minDaysOverdue: whole(opts.minDays),
    maxDaysOverdue: whole(opts.maxDays),
  });
  const sort = ChildSort.safeParse(opts.sort);
  const faults = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`)),
    ...(sort.success ? [] : [`sort: use overdue, name or dob`]),
  ];
  if (faults.length) throw new AppError('VALIDATION', `The filter is not valid:\n${faults.map((f) => `  ${f}`).join('\n')}`);
  return { filter: parsed.data!, sort: sort.data! };
}

async function runExport(ctx: CliContext, opts: ExportOptions): Promise<void> {
  const { filter, sort } = filterFromOptions(opts);
  const ds = await openDataSource(await ctx.ownerUrl());
  try {
    const out = await createWorklistHandlers(ds, effectiveRulesOn(ds), todayInLondon)['childHealth.register.export']({ filter, sort });
    if (opts.out) {
      writeFileSync(opts.out, out.csv);
      ctx.print(`${out.rows.toLocaleString('en-GB')} children written to ${opts.out}`);
    } else ctx.print(out.csv);
  } finally {
    await ds.destroy();
  }
}

async function runList(ctx: CliContext): Promise<void> {
  const ds = await openDataSource(await ctx.ownerUrl());
  try {
    const lists = await createWorklistHandlers(ds, effectiveRulesOn(ds), todayInLondon)['worklists.list']({});
    if (lists.length === 0) ctx.print('No worklists.');
    for (const w of lists)
      ctx.print(
        `${String(w.id).padStart(5)}  ${w.name}  ${w.open} open of ${w.members}  (made by ${w.createdBy} on ${w.createdOn}` +
          `${w.assignedTo ? `, assigned to ${w.assignedTo}` : ''})`,
      );
  } finally {
    await ds.destroy();
  }
}

export function registerChildHealthCommands(program: Command, ctx: CliContext): void {
  program
    .command('child-register')
    .description('The child register (children aged 0 to 19 and their schedule status)')
    .command('export')
    .description('Write the children matching the filter as CSV (codes comma-separated; exit code 2 when the filter is not valid)')
    .option('--practice <codes>', 'GP practice ODS codes')
    .option('--la <codes>', 'local authority codes')
    .option('--district <codes>', 'postcode districts')
    .option('--school <urns>', 'school URNs')
    .option('--year <groups>', 'year groups (-1 nursery, 0 reception, 1 to 14)')
    .option('--age <bands>', 'age bands (UNDER_1, 1_TO_4, 5_TO_11, 12_TO_15, 16_TO_19)')
    .option('--status <statuses>', 'OVERDUE, DUE, INCOMPLETE, COMPLETE')
    .option('--min-days <n>', 'at least this many days overdue')
    .option('--max-days <n>', 'at most this many days overdue')
    .option('--sort <order>', 'overdue, name or dob', 'overdue')
    .option('--out <file>', 'write to this file rather than the terminal')
    .action((opts: ExportOptions) => runExport(ctx, opts));
  program
    .command('worklists')
    .description('List the child health worklists with their open counts')
    .action(() => runList(ctx));
}

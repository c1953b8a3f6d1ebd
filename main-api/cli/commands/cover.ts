// `ims cover --quarter 2026-Q3 [--by la|practice] [--out FILE]`: the COVER return for a quarter
// as CSV (docs/cover.md), counted in the database IMS_DATABASE_URL names, as the role it names.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import { CoverInput } from '../../contract/reporting';
import { createReportingHandlers } from '../../reporting';
import { openDataSource } from '../../platform/db/datasource';
import { describeQuarter } from '../../shared/calendar/quarters';
import type { CliContext } from '../context';

interface CoverOptions {
  quarter: string;
  by: string;
  out?: string;
}

const GROUPINGS: Record<string, 'local-authority' | 'practice'> = {
  la: 'local-authority',
  'local-authority': 'local-authority',
  practice: 'practice',
};

/** The command's input, checked: every mistake is a VALIDATION error (exit code 2). */
function coverInputFromOptions(opts: CoverOptions): CoverInput {
  const by = GROUPINGS[opts.by];
  if (!by) throw new AppError('VALIDATION', `--by ${opts.by}: use la or practice`);
  const parsed = CoverInput.safeParse({ quarter: opts.quarter, by });
  if (!parsed.success) throw new AppError('VALIDATION', `--quarter ${opts.quarter}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

async function runCover(ctx: CliContext, opts: CoverOptions): Promise<void> {
  const input = coverInputFromOptions(opts);
  const ds = await openDataSource(await ctx.ownerUrl());
  try {
    const out = await createReportingHandlers(ds)['cover.export'](input);
    if (opts.out) {
      writeFileSync(opts.out, out.csv, 'utf8');
      ctx.print(`COVER ${describeQuarter(input.quarter)} by ${input.by}: ${out.rows} rows written to ${opts.out}`);
    } else {
      ctx.print(out.csv);
    }
  } finally {
    await ds.destroy();
  }
}

export function registerCoverCommands(program: Command, ctx: CliContext): void {
  program
    .command('cover')
    .description('The COVER return for a quarter: coverage at 12 months, 24 months and 5 years, as CSV (docs/cover.md)')
    .requiredOption('--quarter <quarter>', 'the quarter the children reached the birthday in, e.g. 2026-Q3 (July to September)')
    .option('--by <grouping>', 'la (upper-tier local authority, the responsible population) or practice', 'la')
    .option('--out <file>', 'write the CSV to this file (default: standard output)')
    .action((opts: CoverOptions) => runCover(ctx, opts));
}

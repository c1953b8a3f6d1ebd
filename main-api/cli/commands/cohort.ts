// `ims cohort describe FILE`: checks a cohort definition file and says in plain English who it
// means, or names each field at fault. Reads no database: support staff can check a file anywhere.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import type { CohortCount, CohortDefinition } from '../../contract/cohorts';
import { cohortAsJson, createCohortHandlers, describeCohort, knownCampaigns, parseCohortFile } from '../../cohorts';
import { openDataSource } from '../../platform/db/datasource';
import { COHORT_BREAKDOWNS, COHORT_BREAKDOWN_LABELS, CohortBreakdown } from '../../shared/vocabulary/cohorts';
import type { CliContext } from '../context';

interface CohortDescribeOptions {
  json?: boolean;
}

/** Reads and checks a definition file, naming every mistake (exit code 2). */
function readDefinition(file: string, campaigns: ReadonlyMap<string, string>): CohortDefinition {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('VALIDATION', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const parsed = parseCohortFile(text, campaigns);
  if (!parsed.ok)
    throw new AppError('VALIDATION', `${file} is not a valid cohort definition:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
  return parsed.definition;
}

/** The command's work: read, check, describe. */
function runCohortDescribe(ctx: Pick<CliContext, 'print'>, file: string, opts: CohortDescribeOptions): void {
  const campaigns = knownCampaigns();
  const definition = readDefinition(file, campaigns);
  ctx.print(opts.json ? cohortAsJson(definition, campaigns) : describeCohort(definition, campaigns));
}

interface CohortCountOptions {
  json?: boolean;
  by: string;
}

const fmt = (n: number): string => n.toLocaleString('en-GB');

/** A count as people read it at a terminal: the description, the figures, then each breakdown. */
function countReport(c: CohortCount): string {
  const lines = [c.description, '', `Matching the criteria: ${fmt(c.matched)}`];
  for (const x of c.exclusions) lines.push(`  left out, ${x.label.toLowerCase()}: ${fmt(x.count)}`);
  lines.push(`In the cohort: ${fmt(c.count)}`);
  for (const [kind, rows] of Object.entries(c.breakdowns) as [CohortBreakdown, CohortCount['breakdowns'][CohortBreakdown]][]) {
    lines.push('', `By ${COHORT_BREAKDOWN_LABELS[kind].toLowerCase()}:`);
    for (const r of rows ?? []) lines.push(`  ${r.label.padEnd(44)} ${fmt(r.count).padStart(11)}`);
  }
  return lines.join('\n');
}

/** Counts a definition file in the database IMS_DATABASE_URL names, as the role it names. */
async function runCohortCount(ctx: CliContext, file: string, opts: CohortCountOptions): Promise<void> {
  const campaigns = knownCampaigns();
  const definition = readDefinition(file, campaigns);
  const by = opts.by === '' ? [] : opts.by.split(',').map((b) => b.trim());
  const unknown = by.filter((b) => !CohortBreakdown.safeParse(b).success);
  if (unknown.length > 0) throw new AppError('VALIDATION', `Unknown breakdown ${unknown.join(', ')}: use ${COHORT_BREAKDOWNS.join(', ')}`);
  const ds = await openDataSource(await ctx.ownerUrl());
  try {
    const count = await createCohortHandlers(ds)['cohorts.count']({ definition, breakdowns: by as CohortBreakdown[] });
    ctx.print(opts.json ? JSON.stringify(count, null, 2) : countReport(count));
  } finally {
    await ds.destroy();
  }
}

async function runCohortList(ctx: CliContext): Promise<void> {
  const ds = await openDataSource(await ctx.ownerUrl());
  try {
    const saved = await createCohortHandlers(ds)['cohorts.saved.list']({});
    if (saved.length === 0) ctx.print('No saved cohort definitions.');
    for (const s of saved)
      ctx.print(
        `${String(s.id).padStart(5)}  ${s.name}  (version ${s.version}, ${s.campaign ?? 'no campaign'}, saved by ${s.savedBy} at ${s.savedAt})`,
      );
  } finally {
    await ds.destroy();
  }
}

export function registerCohortCommands(program: Command, ctx: CliContext): void {
  const cohort = program.command('cohort').description('Cohort definitions: who to count and invite');
  cohort
    .command('describe')
    .argument('<file>', 'a cohort definition (JSON, see docs/cohort-definition.md)')
    .description('Check a cohort definition and say in plain English who it means (exit code 2 when it is not valid)')
    .option('--json', 'print the definition with its defaults filled in, and the description, as JSON')
    .action((file: string, opts: CohortDescribeOptions) => runCohortDescribe(ctx, file, opts));
  cohort
    .command('count')
    .argument('<file>', 'a cohort definition (JSON, see docs/cohort-definition.md)')
    .description('Count a cohort definition in the database, as the role IMS_DATABASE_URL names (exit code 2 when it is not valid)')
    .option(
      '--by <breakdowns>',
      `breakdowns, comma-separated (${COHORT_BREAKDOWNS.join(', ')}); "" for none`,
      'localAuthority,ageBand,sex,imdDecile',
    )
    .option('--json', 'print the count as JSON')
    .action((file: string, opts: CohortCountOptions) => runCohortCount(ctx, file, opts));
  cohort
    .command('list')
    .description('List the saved cohort definitions')
    .action(() => runCohortList(ctx));
}

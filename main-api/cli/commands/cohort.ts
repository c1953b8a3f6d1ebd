// `ims cohort describe FILE`: checks a cohort definition file and says in plain English who it
// means, or names each field at fault. Reads no database: support staff can check a file anywhere.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import { cohortAsJson, describeCohort, parseCohortFile } from '../../cohorts';
import { scheduleRules } from '../../schedule';
import type { CliContext } from '../context';

/** The campaigns the loaded rules know, by code, with their names. */
function knownCampaigns(): Map<string, string> {
  return new Map(scheduleRules().campaigns.map((c) => [c.id, c.name]));
}

interface CohortDescribeOptions {
  json?: boolean;
}

/** The command's work: read, check, describe. */
function runCohortDescribe(ctx: Pick<CliContext, 'print'>, file: string, opts: CohortDescribeOptions): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('VALIDATION', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const campaigns = knownCampaigns();
  const parsed = parseCohortFile(text, campaigns);
  if (!parsed.ok)
    throw new AppError('VALIDATION', `${file} is not a valid cohort definition:\n${parsed.errors.map((e) => `  ${e}`).join('\n')}`);
  ctx.print(opts.json ? cohortAsJson(parsed.definition, campaigns) : describeCohort(parsed.definition, campaigns));
}

export function registerCohortCommands(program: Command, ctx: CliContext): void {
  const cohort = program.command('cohort').description('Cohort definitions: who to count and invite');
  cohort
    .command('describe')
    .argument('<file>', 'a cohort definition (JSON, see docs/cohort-definition.md)')
    .description('Check a cohort definition and say in plain English who it means (exit code 2 when it is not valid)')
    .option('--json', 'print the definition with its defaults filled in, and the description, as JSON')
    .action((file: string, opts: CohortDescribeOptions) => runCohortDescribe(ctx, file, opts));
}

// `ims rules import FILE [--effective YYYY-MM-DD] [--preview-only]`, `ims rules list`,
// `ims rules activate VERSION`, `ims rules withdraw VERSION`: rule files added or replaced
// without a release. Run as the schema owner, like the other maintenance commands; the change
// log records the owner's role as the one who imported or activated.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import type { RuleFileVersionView, RuleImportResult } from '../../contract/rules';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { activateRuleFile, checkedRuleFile, importRuleFile, listRuleFiles, withdrawRuleFile } from '../../rules';
import { dayOf } from '../../shared/calendar/dates';
import { todayInLondon } from '../../shared/calendar/england';
import { RULE_FILE_STATUS_LABELS } from '../../shared/vocabulary/rule-files';
import type { CliContext } from '../context';

const APPLICATION_NAME = 'IMS rules';

function readRuleFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError('VALIDATION', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function versionNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new AppError('VALIDATION', `${text} is not a version number.`);
  return n;
}

/** The preview in plain lines: what was stored, the counts, and a few people's before and after. */
function formatImport(r: RuleImportResult, stored: boolean): string {
  const p = r.preview;
  const lines = [
    stored
      ? r.created
        ? `Imported ${r.kind} ${r.ruleId} v${r.ruleVersion} (${r.name}) as version ${r.version}, previewed, effective from ${r.effectiveFrom}.`
        : `This file (checksum ${r.checksum.slice(0, 12)}) is already version ${r.version} (${r.status}, effective from ${r.effectiveFrom}); nothing new was stored.`
      : `Checked ${r.kind} ${r.ruleId} v${r.ruleVersion} (${r.name}); nothing stored (--preview-only).`,
    `Compared on ${p.onDay}: ${p.reached} ${p.reached === 1 ? 'person' : 'people'} can be affected; ${p.considered} worked out` +
      (p.sampled ? ` (a random sample)` : '') +
      `; ${p.changed} would change` +
      (p.sampled ? ` (about ${p.estimatedChanged} of everyone reached).` : '.'),
  ];
  for (const t of p.transitions.slice(0, 20)) lines.push(`  ${t.name}: ${t.from ?? 'no row'} -> ${t.to ?? 'no row'}: ${t.persons}`);
  for (const e of p.examples) {
    lines.push(`Person ${e.personId} (born ${e.dateOfBirth}):`);
    for (const c of e.changes) {
      lines.push(`  ${c.name}: ${c.before?.status ?? 'no row'} -> ${c.after?.status ?? 'no row'}`);
      for (const l of c.explanationAfter.slice(0, 3)) lines.push(`    ${l}`);
    }
  }
  if (stored && r.status === 'previewed') lines.push(`To put it in force: ims rules activate ${r.version}`);
  return lines.join('\n');
}

function formatVersions(versions: RuleFileVersionView[]): string {
  if (versions.length === 0) return 'No rule files have been imported; the shipped rules are in use.';
  return versions
    .map(
      (v) =>
        `${v.version}\t${RULE_FILE_STATUS_LABELS[v.status]}${v.inForce ? ' (in force)' : ''}\t${v.kind} ${v.ruleId} v${v.ruleVersion}\t` +
        `from ${v.effectiveFrom}\timported by ${v.importedBy} ${v.importedAt}` +
        (v.activatedBy ? `\tactivated by ${v.activatedBy} ${v.activatedAt}` : '') +
        (v.problem ? `\tNOT USED: ${v.problem}` : ''),
    )
    .join('\n');
}

/** A refusal with fields at fault, as one message listing every mistake a line under the file's name. */
function everyMistake(file: string, error: unknown): unknown {
  if (error instanceof AppError && error.details?.kind === 'fields') {
    return new AppError(
      'VALIDATION',
      `${file}: ${error.message}\n${error.details.fields.map((f) => `  ${f.field}: ${f.message}`).join('\n')}`,
    );
  }
  return error;
}

interface RulesImportOptions {
  effective?: string;
  previewOnly?: boolean;
}

async function runRulesImport(
  ctx: Pick<CliContext, 'ownerUrl' | 'print'>,
  file: string,
  opts: RulesImportOptions,
): Promise<RuleImportResult> {
  if (opts.effective !== undefined && dayOf(opts.effective) === null)
    throw new AppError('VALIDATION', `--effective ${opts.effective}: write a real date as YYYY-MM-DD.`);
  const text = readRuleFile(file);
  // Checked before the database is reached: a support engineer can check a file anywhere.
  try {
    checkedRuleFile(text);
  } catch (error) {
    throw everyMistake(file, error);
  }
  const result = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
    importRuleFile(ds, {
      text,
      fileName: basename(file),
      effectiveFrom: opts.effective ?? null,
      today: todayInLondon(),
      store: !opts.previewOnly,
    }),
  ).catch((error: unknown) => {
    throw everyMistake(file, error);
  });
  ctx.print(formatImport(result, !opts.previewOnly));
  return result;
}

export function registerRulesCommands(program: Command, ctx: CliContext): void {
  const rules = program.command('rules').description('Rule files imported without a release: campaign and schedule files');
  rules
    .command('import')
    .argument('<file>', 'a rule file (JSON, see resources/schedule/README.md)')
    .description('Check a rule file, store it as a previewed version and show what it would change (exit code 2 when it is not valid)')
    .option('--effective <date>', 'in force from this date once activated (YYYY-MM-DD); today by default')
    .option('--preview-only', 'check and preview only; store nothing')
    .action(async (file: string, opts: RulesImportOptions) => {
      await runRulesImport(ctx, file, opts);
    });
  rules
    .command('list')
    .description('Imported versions, newest first, with who imported and activated each')
    .action(async () => {
      const versions = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) => listRuleFiles(ds, todayInLondon()));
      ctx.print(formatVersions(versions));
    });
  rules
    .command('activate')
    .argument('<version>', 'the version number from import or list')
    .description('Put a previewed version in force from its effective date; the people it reaches are queued for recomputation')
    .action(async (version: string) => {
      const r = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
        activateRuleFile(ds, versionNumber(version), todayInLondon()),
      );
      ctx.print(
        r.queued > 0 || r.effectiveFrom <= todayInLondon()
          ? `Version ${r.version} is active from ${r.effectiveFrom}; ${r.queued} people queued for recomputation.`
          : `Version ${r.version} is active from ${r.effectiveFrom}; the people it reaches will be queued on that day.`,
      );
    });
  rules
    .command('withdraw')
    .argument('<version>', 'the version number from import or list')
    .description('Withdraw a previewed or active version; the rules it replaced are used again')
    .action(async (version: string) => {
      const r = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
        withdrawRuleFile(ds, versionNumber(version), todayInLondon()),
      );
      ctx.print(`Version ${r.version} is withdrawn; ${r.queued} people queued for recomputation.`);
    });
}

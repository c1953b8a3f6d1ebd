// `ims catch-up`: a child's catch-up plan with the reasons, as the record screen shows it, and
// the printed plan or transfer summary written to a file. Runs as the schema owner through the
// same service as the application.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CatchUpPlanView } from '../../contract/movers';
import { AppError } from '../../contract/result';
import { personByNhsNumber, type PersonHeading } from '../../forecast';
import { createMoversService } from '../../movers';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { todayInLondon } from '../../shared/calendar/england';
import { checkNhsNumber, formatNhsNumber } from '../../shared/identifiers/nhs-number';
import type { CliContext } from '../context';

/** The plan as text: each visit with its vaccines and reasons, then what is left out and why. */
function formatCatchUpPlan(plan: CatchUpPlanView, person: PersonHeading): string {
  const lines = [`${person.name}, NHS number ${formatNhsNumber(person.nhsNumber)}, born ${person.dateOfBirth}`];
  lines.push(`Catch-up plan on ${plan.asOf} (rules: ${plan.rules})`);
  if (plan.arrival) {
    const from = [plan.arrival.fromCountryName, plan.arrival.fromArea].filter((x) => x).join(', ');
    lines.push(`Moved in on ${plan.arrival.arrivedOn}${from ? ` from ${from}` : ''}`);
  }
  for (const c of plan.credited) lines.push(`Counted: the ${c.product} dose on ${c.date} as a ${c.name} dose`);
  lines.push('');
  if (plan.visits.length === 0) lines.push('Nothing is due or overdue: no catch-up visits are needed.');
  plan.visits.forEach((v, i) => {
    lines.push(`Visit ${i + 1}, from ${v.date}:`);
    for (const d of v.doses) {
      const also = d.alsoCountsFor.length ? ` (also counts for ${d.alsoCountsFor.join(', ')})` : '';
      lines.push(`  ${d.product}: ${d.name}, dose ${d.dose}${also}`);
      for (const w of d.why) lines.push(`    - ${w}`);
    }
  });
  const out = [...plan.notPlanned, ...plan.needsAssessment.map((n) => ({ ...n, status: 'NEEDS_ASSESSMENT' }))];
  if (out.length > 0) {
    lines.push('', 'Not in the plan:');
    for (const n of out) lines.push(`  ${n.name} (${n.status.replace(/_/g, ' ')}): ${n.reason}`);
  }
  if (plan.notCounted.length > 0) {
    lines.push('', 'Doses that do not count:');
    for (const n of plan.notCounted) lines.push(`  ${n.date} ${n.name}: ${n.reason}`);
  }
  if (plan.then.length > 0) {
    lines.push('', 'Afterwards, on the routine schedule:');
    for (const t of plan.then) lines.push(`  ${t.name} dose ${t.dose}, due ${t.dueDate}`);
  }
  lines.push('', 'How this plan was made:');
  for (const e of plan.explanation) lines.push(`  - ${e}`);
  return lines.join('\n');
}

interface CatchUpCommandOptions {
  nhsNumber: string;
  json?: boolean;
  pdf?: string;
  transfer?: string;
}

async function runCatchUpCommand(ctx: CliContext, opts: CatchUpCommandOptions): Promise<void> {
  const nhs = checkNhsNumber(opts.nhsNumber);
  if (!nhs.valid) throw new AppError('VALIDATION', nhs.message);
  await withOwnerDatabase(await ctx.ownerUrl(), 'IMS catch-up', async (ds) => {
    const person = await personByNhsNumber(ds, nhs.value);
    if (!person) throw new AppError('NOT_FOUND', `No person with NHS number ${formatNhsNumber(nhs.value)} is on the register.`);
    const service = createMoversService(ds, todayInLondon);
    const plan = await service.plan(person.id);
    ctx.print(opts.json ? JSON.stringify(plan, null, 2) : formatCatchUpPlan(plan, person));
    // Files hold a child's record: readable by their owner only.
    if (opts.pdf) {
      writeFileSync(opts.pdf, Buffer.from((await service.planPdf(person.id)).base64, 'base64'), { mode: 0o600 });
      ctx.print(`Catch-up plan written to ${opts.pdf}.`);
    }
    if (opts.transfer) {
      writeFileSync(opts.transfer, Buffer.from((await service.transferPdf(person.id)).base64, 'base64'), { mode: 0o600 });
      ctx.print(`Transfer summary written to ${opts.transfer}.`);
    }
  });
}

export function registerMoverCommands(program: Command, ctx: CliContext): void {
  program
    .command('catch-up')
    .description("Show a child's catch-up plan with the reasons; write the printed plan or a transfer summary (needs the schema owner)")
    .requiredOption('--nhs-number <number>', 'the child')
    .option('--json', 'print the same data the application receives')
    .option('--pdf <file>', 'also write the printed catch-up plan to this file')
    .option('--transfer <file>', 'also write the transfer summary to this file')
    .action((opts: CatchUpCommandOptions) => runCatchUpCommand(ctx, opts));
}

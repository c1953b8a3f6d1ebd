import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import { benchDemoLoad, loadDemoRegion, phaseLabel, type DemoProgress } from '../../demo';
import { refreshAllStatuses, refreshIfFarBehind } from '../../schedule-status';
import { todayInLondon } from '../../shared/calendar/england';
import type { CliContext } from '../context';

function wholeNumber(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new AppError('VALIDATION', `${name} must be a whole number of at least ${min}.`);
    return n;
  };
}

/** A one-line progress bar on stderr, redrawn in place on a terminal and throttled otherwise. */
function progressBar(): { update: (p: DemoProgress) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastPhase = '';
  let lastDraw = 0;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === lastPhase && now - lastDraw < (tty ? 100 : 2000) && p.done < p.total) return;
      const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
      const width = 30;
      const filled = Math.round(fraction * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${phaseLabel(p)} ${p.done.toLocaleString('en-GB')}/${p.total.toLocaleString('en-GB')}`;
      process.stderr.write(tty ? `\r${line.padEnd(90)}` : `${line}\n`);
      lastPhase = p.phase;
      lastDraw = now;
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function registerDemoCommands(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'Build the synthetic demo region (Kent and Medway) in the database: people, contacts, clinical flags, staff, vaccination histories',
    )
    .option('--persons <n>', 'how many people', wholeNumber('--persons', 1), 50_000)
    .option('--seed <s>', 'seed: the same seed and number of people give the same rows', wholeNumber('--seed', 0), 1)
    .option('--append', 'add to a register that already has people', false)
    .option('--no-histories', 'people only, without vaccination histories')
    .option('--bench', 'measure instead: demo load vs raw COPY of the same rows, rolled back afterwards', false)
    .action(async (opts: { persons: number; seed: number; append: boolean; bench: boolean; histories: boolean }) => {
      const url = await ctx.ownerUrl();
      if (opts.bench) {
        const rows = await benchDemoLoad(url, opts.persons, opts.seed);
        for (const r of rows) {
          ctx.print(
            `${r.name.padEnd(56)} ${r.rows.toLocaleString('en-GB').padStart(11)} rows ${r.seconds.toFixed(2).padStart(8)} s ${r.rowsPerSecond.toLocaleString('en-GB').padStart(11)} rows/s`,
          );
        }
        return;
      }
      const bar = progressBar();
      let summary: Awaited<ReturnType<typeof loadDemoRegion>>;
      try {
        summary = await loadDemoRegion(url, {
          persons: opts.persons,
          seed: opts.seed,
          append: opts.append,
          histories: opts.histories,
          onProgress: bar.update,
        });
      } catch (error) {
        bar.end();
        // Refused because the register already has people: perhaps an earlier run whose status
        // refresh was interrupted, which left everyone queued. Bring their status up to date.
        if (error instanceof AppError && error.code === 'CONFLICT') {
          const caughtUp = await refreshIfFarBehind(url, { asOf: todayInLondon() });
          if (caughtUp) {
            ctx.print(
              `The schedule status was behind (an earlier load or refresh was interrupted): ${caughtUp.persons.toLocaleString('en-GB')} people assessed on ${caughtUp.asOf}.`,
            );
          }
        }
        throw error;
      }
      bar.end();
      // Worklists read the maintained schedule status, so bring it up to date with the new histories.
      const refresh = await refreshAllStatuses(url, { asOf: todayInLondon() });
      const n = (v: number): string => v.toLocaleString('en-GB');
      const ref = Object.entries(summary.reference)
        .map(([table, count]) => `${table} ${count}`)
        .join(', ');
      ctx.print(
        [
          `Demo region loaded in ${summary.seconds.toFixed(1)} s (seed ${opts.seed}).`,
          `  people          ${n(summary.persons)} (ids ${summary.firstPersonId}-${summary.lastPersonId})`,
          `  contact details ${n(summary.contactDetails)}`,
          `  clinical flags  ${n(summary.clinicalFlags)}`,
          `  staff records   ${n(summary.staffRecords)}`,
          `  vaccinations    ${n(summary.histories.given)} given, ${n(summary.histories.notGiven)} not given, ${n(summary.histories.reactions)} reactions (${summary.histories.seconds.toFixed(1)} s)`,
          `  schedule status ${n(refresh.persons)} people assessed on ${refresh.asOf} (${refresh.seconds.toFixed(1)} s)`,
          `  new reference rows: ${ref}`,
          `  ${n(Math.round(summary.persons / summary.seconds))} people per second`,
        ].join('\n'),
      );
    });
}

// `ims schools`: school sessions from the command line, for the daily run: the sessions from a
// date on with their consent figures, and consent reminders for sessions within the reminder
// days (idempotent: a second run the same day makes nothing new). Runs as the role
// IMS_DATABASE_URL names, which the database checks as it checks a user of the screens.
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import { createSchoolHandlers } from '../../schools';
import { openDataSource } from '../../platform/db/datasource';
import { todayInLondon } from '../../shared/calendar/england';
import { SCHOOL_PROGRAMME_LABELS } from '../../shared/vocabulary/schools';
import type { CliContext } from '../context';

async function withHandlers<T>(ctx: CliContext, work: (h: ReturnType<typeof createSchoolHandlers>) => Promise<T>): Promise<T> {
  const ds = await openDataSource(await ctx.ownerUrl());
  try {
    return await work(createSchoolHandlers(ds, () => todayInLondon()));
  } finally {
    await ds.destroy();
  }
}

function sessionId(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,12}$/.test(text)) throw new AppError('VALIDATION', `--session takes a session number, not ${text.slice(0, 20)}`);
  return Number(text);
}

export function registerSchoolCommands(program: Command, ctx: CliContext): void {
  const schools = program.command('schools').description('School sessions: consent and session planning per school');
  schools
    .command('list')
    .description('List school sessions from today on, with their consent figures')
    .action(() =>
      withHandlers(ctx, async (h) => {
        const sessions = await h['schools.sessions.list']({});
        if (sessions.length === 0) ctx.print('No school sessions from today on.');
        for (const s of sessions)
          ctx.print(
            `${String(s.id).padStart(6)}  ${s.date}  ${s.schoolName} (${s.schoolUrn})  ${SCHOOL_PROGRAMME_LABELS[s.programme]}: ` +
              `${s.children} children, ${s.consentGiven} consent given, ${s.consentRefused} refused, ${s.notReturned} not returned`,
          );
      }),
    );
  schools
    .command('reminders')
    .description('Make consent reminders for parents who have not returned consent, for sessions in the next 7 days')
    .option('--session <id>', 'only this session')
    .action((opts: { session?: string }) =>
      withHandlers(ctx, async (h) => {
        const { created } = await h['schools.reminders.run']({ sessionId: sessionId(opts.session) });
        ctx.print(`${created} consent reminder(s) made.`);
      }),
    );
}

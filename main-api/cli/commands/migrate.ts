import type { Command } from 'commander';
import { migrate } from '../../platform/db/migrator';
import { migrationsDir } from '../../platform/paths';
import type { CliContext } from '../context';

export function registerMigrateCommands(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (needs the schema owner: IMS_DATABASE_URL, or the embedded default)')
    .action(async () => {
      const url = await ctx.ownerUrl();
      const report = await migrate(url, migrationsDir(), (m) => process.stderr.write(`${m}\n`));
      ctx.print(
        report.applied.length
          ? `Applied ${report.applied.length} migration(s): ${report.applied.join(', ')}`
          : `Database is up to date (${report.alreadyApplied} migrations applied).`,
      );
      for (const warning of report.warnings) ctx.print(`Warning: ${warning}`);
    });
}

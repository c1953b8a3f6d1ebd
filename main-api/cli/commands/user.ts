import type { Command } from 'commander';
import { addUser, disableUser, enableUser, listUsers, USER_ROLES, type ConnectOutcome, type UserSummary } from '../../administration';
import type { CliContext } from '../context';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatUserTable(users: UserSummary[]): string {
  if (users.length === 0) return 'No users yet. Add one with: ims user add NAME --role ROLE --org ODS';
  return table([
    ['NAME', 'DISPLAY NAME', 'ROLE', 'ORGANISATIONS', 'STATUS', 'CREATED'],
    ...users.map((u) => [
      u.name,
      u.displayName,
      u.roles.join(',') || '-',
      u.orgs.join(',') || (u.roles.includes('administrator') ? '(all)' : '-'),
      u.disabled ? 'disabled' : 'active',
      u.createdAt.slice(0, 10),
    ]),
  ]);
}

/**
 * Warns rather than fails when this role may not decide who connects to the database (it does
 * not own it): the change to the user stands, and a DBA can finish it with these statements.
 */
function printDbaStatements(ctx: CliContext, outcome: ConnectOutcome): void {
  if (outcome.dbaMustRun.length === 0) return;
  ctx.print('Warning: this role does not own the database, so it cannot decide who may connect to it.');
  ctx.print('A superuser or the database owner must run:');
  for (const statement of outcome.dbaMustRun) ctx.print(`  ${statement};`);
}

export function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('Manage the people who can sign in (needs the schema owner)');

  user
    .command('add')
    .description('Create a user: their own database login, one role and an access scope')
    .argument('<name>', 'login name: lower-case letters, digits and underscores')
    .requiredOption('--role <role>', `one of: ${USER_ROLES.join(', ')}`)
    .option('--org <codes>', 'ODS code(s) of the organisations in scope, comma-separated', '')
    .option('--display-name <text>', 'name shown in the application')
    .option('--password <password>', 'initial password (generated when omitted)')
    .action(async (name: string, opts: { role: string; org: string; displayName?: string; password?: string }) => {
      const result = await addUser(await ctx.ownerUrl(), {
        name,
        role: opts.role,
        orgs: opts.org.split(','),
        displayName: opts.displayName,
        password: opts.password,
      });
      ctx.print(`Created user ${result.name}.`);
      printDbaStatements(ctx, result);
      if (opts.password === undefined) {
        ctx.print(`Password: ${result.password}`);
        ctx.print('It is shown only once: pass it to the user securely.');
      }
    });

  user
    .command('list')
    .description('List users with their role, scope and status')
    .action(async () => {
      ctx.print(formatUserTable(await listUsers(await ctx.ownerUrl())));
    });

  const switches = [
    { command: 'disable', description: 'Stop a user signing in and end their open sessions', run: disableUser, done: 'Disabled' },
    { command: 'enable', description: 'Allow a disabled user to sign in again', run: enableUser, done: 'Enabled' },
  ];
  for (const s of switches) {
    user
      .command(s.command)
      .description(s.description)
      .argument('<name>')
      .action(async (name: string) => {
        const outcome = await s.run(await ctx.ownerUrl(), name);
        ctx.print(`${s.done} user ${name}.`);
        printDbaStatements(ctx, outcome);
      });
  }
}

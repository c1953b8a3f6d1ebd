// User administration against the real server: roles, scope, sign-in, disable and enable.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, disableUser, enableUser, ensureUser, listUsers } from './users.service';
import { Command } from 'commander';
import { formatUserTable, registerUserCommands } from '../cli/commands/user';
import type { CliContext } from '../cli/context';
import { AppError } from '../contract/result';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { connectAs, dropRoles } from '../../tests/support/fixtures';

async function appError(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('user administration', () => {
  let db: TestDatabase;
  const roles: string[] = [];
  const name = (prefix: string) => {
    const n = uniqueName(prefix);
    roles.push(n);
    return n;
  };

  const signIn = (user: string, password: string): Promise<pg.Client> => connectAs(db.urlAs(user, password));

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
      ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'), ('G82001', 'Riverside Surgery', 'GP', 'QKS')`);
  });

  afterAll(async () => {
    await db.drop();
    await dropRoles(roles);
  });

  it('adds a user who can sign in with the generated password and has the right group and scope', async () => {
    const user = name('nurse');
    const created = await addUser(db.url, { name: user, role: 'child-health', orgs: ['qks', 'G82001'], displayName: 'Nurse Jones' });
    expect(created.name).toBe(user);
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const c = await signIn(user, created.password);
    try {
      const { rows } = await c.query(
        `SELECT session_user AS who, pg_has_role('ims_child_health', 'USAGE') AS ch, pg_has_role('ims_administrator', 'USAGE') AS adm,
                (SELECT array_agg(code ORDER BY code) FROM api.my_organisations()) AS orgs,
                (SELECT display_name FROM ims.user_directory WHERE role_name = session_user) AS display`,
      );
      expect(rows[0]).toEqual({ who: user, ch: true, adm: false, orgs: ['G82001', 'QKS'], display: 'Nurse Jones' });
    } finally {
      await c.end();
    }
    // The password is stored only as a SCRAM verifier.
    const { rows } = await db.query(`SELECT rolpassword FROM pg_authid WHERE rolname = $1`, [user]);
    expect(rows[0]!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('lists users with roles, scope and status', async () => {
    const user = name('coord');
    await addUser(db.url, { name: user, role: 'coordinator', orgs: ['Y59'], password: 'a-long-enough-password' });
    const list = await listUsers(db.url);
    const entry = list.find((u) => u.name === user);
    expect(entry).toMatchObject({ name: user, displayName: user, roles: ['coordinator'], orgs: ['Y59'], disabled: false });
    expect(entry!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const text = formatUserTable(list);
    expect(text.split('\n')[0]).toMatch(/^NAME\s+DISPLAY NAME\s+ROLE/);
    expect(text).toContain(user);
  });

  it('disables a user: open sessions end and new sign-ins are refused; enabling restores access', async () => {
    const user = name('temp');
    const { password } = await addUser(db.url, { name: user, role: 'analyst', orgs: ['G82001'] });
    const open = await signIn(user, password);
    const ended = new Promise<void>((resolve) => open.on('error', () => resolve()));
    await disableUser(db.url, user);
    await expect(open.query('SELECT 1')).rejects.toThrow();
    await ended;
    await open.end().catch(() => {});
    await expect(signIn(user, password)).rejects.toMatchObject({ code: '28000' });
    expect((await listUsers(db.url)).find((u) => u.name === user)?.disabled).toBe(true);

    await enableUser(db.url, user);
    const again = await signIn(user, password);
    await again.end();
    expect((await listUsers(db.url)).find((u) => u.name === user)?.disabled).toBe(false);
  });

  it('refuses bad names, reserved names, unknown roles and unknown organisations', async () => {
    for (const bad of ['Bob', 'ab', '1abc', 'bob smith', 'x"; DROP ROLE postgres; --', 'a'.repeat(64)]) {
      expect((await appError(addUser(db.url, { name: bad, role: 'analyst', orgs: ['Y59'] }))).code).toBe('VALIDATION');
    }
    for (const reserved of ['ims_admin', 'pg_monitor_x']) {
      const e = await appError(addUser(db.url, { name: reserved, role: 'analyst', orgs: ['Y59'] }));
      expect(e.code).toBe('VALIDATION');
      expect(e.message).toMatch(/may not start with/);
    }
    const role = await appError(addUser(db.url, { name: name('r'), role: 'superuser', orgs: ['Y59'] }));
    expect(role.code).toBe('VALIDATION');
    const unknownUser = name('u');
    const org = await appError(addUser(db.url, { name: unknownUser, role: 'coordinator', orgs: ['Y59', 'ZZZ99'] }));
    expect(org.code).toBe('VALIDATION');
    expect(org.message).toContain('ZZZ99');
    expect(org.message).not.toContain('Y59');
    const noScope = await appError(addUser(db.url, { name: name('n'), role: 'coordinator', orgs: [] }));
    expect(noScope.code).toBe('VALIDATION');
    const weak = await appError(addUser(db.url, { name: name('w'), role: 'analyst', orgs: ['Y59'], password: 'short' }));
    expect(weak.code).toBe('VALIDATION');
    // Nothing was created by the refused calls.
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1`, [unknownUser]);
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a name already taken, and unknown users for disable and enable', async () => {
    const user = name('dup');
    await addUser(db.url, { name: user, role: 'analyst', orgs: ['Y59'] });
    expect((await appError(addUser(db.url, { name: user, role: 'analyst', orgs: ['Y59'] }))).code).toBe('CONFLICT');
    expect((await appError(disableUser(db.url, 'no_such_user'))).code).toBe('NOT_FOUND');
    expect((await appError(enableUser(db.url, 'no_such_user'))).code).toBe('NOT_FOUND');
    // Roles that are not IMS users (such as the superuser) cannot be disabled through this.
    expect((await appError(disableUser(db.url, 'postgres'))).code).toBe('NOT_FOUND');
  });

  it('ensureUser creates, then converges password, group and scope idempotently', async () => {
    const user = name('local_admin');
    await ensureUser(db.url, { name: user, role: 'administrator', orgs: [], password: 'first-password-123' });
    await ensureUser(db.url, { name: user, role: 'administrator', orgs: [], password: 'first-password-123' });
    await (await signIn(user, 'first-password-123')).end();

    await disableUser(db.url, user);
    await ensureUser(db.url, { name: user, role: 'coordinator', orgs: ['QKS'], password: 'second-password-456' });
    await expect(signIn(user, 'first-password-123')).rejects.toMatchObject({ code: '28P01' });
    const c = await signIn(user, 'second-password-456');
    await c.end();
    const entry = (await listUsers(db.url)).find((u) => u.name === user);
    expect(entry).toMatchObject({ roles: ['coordinator'], orgs: ['QKS'], disabled: false });
  });

  it('works through the command line: add prints the password once, list, disable, enable', async () => {
    const out: string[] = [];
    const ctx = { ownerUrl: async () => db.url, print: (t: string) => out.push(t), close: async () => {} } as unknown as CliContext;
    const run = async (...args: string[]) => {
      const program = new Command('ims').exitOverride();
      registerUserCommands(program, ctx);
      await program.parseAsync(['node', 'ims', ...args]);
    };
    const user = name('cli');
    await run('user', 'add', user, '--role', 'coordinator', '--org', 'QKS,G82001', '--display-name', 'Sam Cli');
    const password = out.find((l) => l.startsWith('Password: '))?.slice('Password: '.length);
    expect(password).toBeDefined();
    await (await signIn(user, password!)).end();
    out.length = 0;
    await run('user', 'list');
    const line = out
      .join('\n')
      .split('\n')
      .find((l) => l.startsWith(user));
    expect(line).toMatch(/Sam Cli\s+coordinator\s+G82001,QKS\s+active/);
    await run('user', 'disable', user);
    await expect(signIn(user, password!)).rejects.toMatchObject({ code: '28000' });
    await run('user', 'enable', user);
    await (await signIn(user, password!)).end();
  });

  describe('who may connect to this database (0030)', () => {
    const connectCode = (user: string, password: string) =>
      signIn(user, password).then(
        async (c) => {
          await c.end();
          return 'connected';
        },
        (e: { code: string }) => e.code,
      );
    const holdsConnect = async (role: string) =>
      (await db.query<{ held: boolean }>(`SELECT ims.holds_connect_here($1::regrole::oid) AS held`, [role])).rows[0]!.held;

    it('closes the database to PUBLIC when a user is registered, and lets registered users in', async () => {
      // The template's closed door is not copied to a database cloned from it: registering closes it again.
      const outsider = name('outsider');
      await db.query(`CREATE ROLE ${outsider} LOGIN PASSWORD 'outsider-password'`);
      const user = name('door');
      const created = await addUser(db.url, { name: user, role: 'coordinator', orgs: ['QKS'] });
      expect(created.dbaMustRun).toEqual([]);
      expect(await connectCode(user, created.password)).toBe('connected');
      // Any other login role on the server is refused at the door.
      expect(await connectCode(outsider, 'outsider-password')).toBe('42501');
      expect((await db.query(`SELECT ims.holds_connect_here(0) AS open`)).rows[0]!.open).toBe(false);
      // Idempotent: registering again changes nothing.
      await ensureUser(db.url, { name: user, role: 'coordinator', orgs: ['QKS'], password: created.password });
      expect(await connectCode(user, created.password)).toBe('connected');
    });

    it('revokes CONNECT from a disabled user, even if their login is enabled elsewhere, and grants it again on enable', async () => {
      const user = name('away');
      const { password } = await addUser(db.url, { name: user, role: 'analyst', orgs: ['G82001'] });
      expect(await disableUser(db.url, user)).toEqual({ dbaMustRun: [] });
      expect(await holdsConnect(user)).toBe(false);
      // As if an administrator of another IMS database on the server enabled the same login.
      await db.query(`ALTER ROLE ${user} LOGIN`);
      expect(await connectCode(user, password)).toBe('42501');
      expect(await enableUser(db.url, user)).toEqual({ dbaMustRun: [] });
      expect(await holdsConnect(user)).toBe(true);
      expect(await connectCode(user, password)).toBe('connected');
    });

    it('names what a DBA must run, and changes nothing, when the caller does not own the database', async () => {
      const user = name('waiting');
      await addUser(db.url, { name: user, role: 'analyst', orgs: ['G82001'] });
      const deputy = name('deputy');
      // Like a schema owner that does not own the database: it sees every user, but has no say over CONNECT.
      await db.query(`CREATE ROLE ${deputy} LOGIN BYPASSRLS PASSWORD 'deputy-password-1'`);
      await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${deputy}`);
      await db.query(`GRANT USAGE ON SCHEMA ims TO ${deputy}`);
      await db.query(`GRANT SELECT ON ims.app_user TO ${deputy}`);
      await db.query(`GRANT EXECUTE ON FUNCTION ims.admit_registered_users(), ims.holds_connect_here(oid) TO ${deputy}`);
      // A DBA left the database open and this user without their grant.
      await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO PUBLIC`);
      await db.query(`REVOKE CONNECT ON DATABASE ${db.name} FROM ${user}`);
      const c = await signIn(deputy, 'deputy-password-1');
      try {
        const missing = (await c.query<{ m: string[] }>(`SELECT ims.admit_registered_users() AS m`)).rows[0]!.m;
        expect(missing).toEqual([`GRANT CONNECT ON DATABASE ${db.name} TO ${user}`, `REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC`]);
        // With the grant option it admits the users; only the owner can close the door.
        await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${deputy} WITH GRANT OPTION`);
        expect((await c.query<{ m: string[] }>(`SELECT ims.admit_registered_users() AS m`)).rows[0]!.m).toEqual([
          `REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC`,
        ]);
        expect(await holdsConnect(user)).toBe(true);
      } finally {
        await c.end();
        // A role that row-level security limits to its own rows would miss users: refused.
        await db.query(`ALTER ROLE ${deputy} NOBYPASSRLS`);
        const limited = await signIn(deputy, 'deputy-password-1');
        await expect(limited.query(`SELECT ims.admit_registered_users()`)).rejects.toThrow(/schema owner or a superuser/);
        await limited.end();
        // The owner puts it right, and the deputy's grants go with it.
        await db.query(`REVOKE CONNECT ON DATABASE ${db.name} FROM ${deputy} CASCADE`);
        await db.query(`REVOKE ALL ON SCHEMA ims FROM ${deputy}`);
        await db.query(`REVOKE ALL ON ims.app_user FROM ${deputy}`);
        await db.query(`REVOKE ALL ON FUNCTION ims.admit_registered_users(), ims.holds_connect_here(oid) FROM ${deputy}`);
        expect((await db.query<{ m: string[] }>(`SELECT ims.admit_registered_users() AS m`)).rows[0]!.m).toEqual([]);
      }
    });

    it('prints what a DBA must run from the command line, and nothing when there is none', async () => {
      const out: string[] = [];
      const ctx = { ownerUrl: async () => db.url, print: (t: string) => out.push(t), close: async () => {} } as unknown as CliContext;
      const program = new Command('ims').exitOverride();
      registerUserCommands(program, ctx);
      const user = name('cli_door');
      await program.parseAsync(['node', 'ims', 'user', 'add', user, '--role', 'analyst', '--org', 'QKS']);
      expect(out.join('\n')).not.toMatch(/Warning/);
    });
  });
});

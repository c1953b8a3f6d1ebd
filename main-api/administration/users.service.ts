// User administration: each person is their own PostgreSQL login role, a member of one IMS
// group role, with an access scope of organisations. Runs with the owner's (or a superuser's)
// connection, because ordinary roles cannot create roles or write ims.app_user.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AppError, conflictWith, fieldError } from '../contract/result';
import { scramVerifier } from './scram';
import { ROLE_CODES as USER_ROLES, ROLE_GROUP as GROUP_OF, roleOfGroup, type RoleCode as UserRole } from '../shared/vocabulary/roles';

export { USER_ROLES, type UserRole };
const ALL_GROUPS = Object.values(GROUP_OF);

const NAME_PATTERN = /^[a-z][a-z0-9_]{2,62}$/;

export interface NewUser {
  name: string;
  role: string;
  orgs: string[];
  displayName?: string;
  password?: string;
}

export interface UserSummary {
  name: string;
  displayName: string;
  roles: UserRole[];
  orgs: string[];
  disabled: boolean;
  createdAt: string;
}

export function validateUserName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw fieldError('name', `"${name}" is not a valid user name: use 3 to 63 lower-case letters, digits or underscores, starting with a letter.`);
  }
  // Reserved for the product's group roles and PostgreSQL's own roles.
  if (name.startsWith('ims_') || name.startsWith('pg_')) {
    throw fieldError('name', `User names may not start with "ims_" or "pg_" ("${name}").`);
  }
}

export function groupFor(role: string): string {
  const group = (GROUP_OF as Record<string, string | undefined>)[role];
  if (!group) {
    throw fieldError('role', `Unknown role "${role}". Use one of: ${USER_ROLES.join(', ')}.`);
  }
  return group;
}

/** Printable ASCII only: the server applies SASLprep to other characters, the verifier here does not. */
export function validatePassword(password: string): void {
  if (password.length < 12 || password.length > 200 || !/^[\x21-\x7e]+$/.test(password)) {
    throw fieldError('password', 'A password needs 12 to 200 printable characters (letters, digits, punctuation; no spaces).');
  }
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url'); // 24 characters, 144 bits
}

function normaliseOrgs(orgs: string[]): string[] {
  return [...new Set(orgs.map((o) => o.trim().toUpperCase()).filter((o) => o.length > 0))].sort();
}

function checkInput(input: NewUser): { group: string; orgs: string[]; displayName: string } {
  validateUserName(input.name);
  const group = groupFor(input.role);
  const orgs = normaliseOrgs(input.orgs);
  // Administrators see every person; anyone else with no scope would see nobody.
  if (orgs.length === 0 && group !== 'ims_administrator') {
    throw fieldError('orgs', 'Give at least one organisation code for the user\'s access scope.');
  }
  if (input.password !== undefined) validatePassword(input.password);
  const displayName = (input.displayName ?? input.name).trim() || input.name;
  return { group, orgs, displayName };
}

async function withOwner<T>(ownerUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function inTransaction<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

async function checkOrgsExist(client: pg.Client, orgs: string[]): Promise<void> {
  if (orgs.length === 0) return;
  const { rows } = await client.query<{ code: string }>('SELECT code FROM ims.organisation WHERE code = ANY ($1::text[])', [orgs]);
  const known = new Set(rows.map((r) => r.code));
  const unknown = orgs.filter((o) => !known.has(o));
  if (unknown.length > 0) {
    throw fieldError('orgs', `Unknown organisation code${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Add the organisation first or check the ODS code.`);
  }
}

async function roleExists(client: pg.Client, name: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [name]);
  return rows.length > 0;
}

/** Makes the user a member of exactly one IMS group and scopes them to exactly these orgs. */
async function applyMembershipAndScope(
  client: pg.Client,
  name: string,
  group: string,
  orgs: string[],
  displayName: string,
): Promise<void> {
  const role = client.escapeIdentifier(name);
  const { rows } = await client.query<{ group: string }>(
    `SELECT g.rolname AS group FROM pg_catalog.pg_auth_members m
       JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
       JOIN pg_catalog.pg_roles u ON u.oid = m.member
     WHERE u.rolname = $1 AND g.rolname = ANY ($2::text[])`,
    [name, ALL_GROUPS],
  );
  for (const r of rows) {
    if (r.group !== group) await client.query(`REVOKE ${client.escapeIdentifier(r.group)} FROM ${role}`);
  }
  if (!rows.some((r) => r.group === group)) await client.query(`GRANT ${client.escapeIdentifier(group)} TO ${role}`);
  await client.query(
    `INSERT INTO ims.app_user (role_name, display_name) VALUES ($1, $2)
     ON CONFLICT (role_name) DO UPDATE SET display_name = EXCLUDED.display_name
       WHERE ims.app_user.display_name IS DISTINCT FROM EXCLUDED.display_name`,
    [name, displayName],
  );
  await client.query('DELETE FROM ims.user_scope WHERE role_name = $1 AND NOT (org_code = ANY ($2::text[]))', [name, orgs]);
  await client.query(
    `INSERT INTO ims.user_scope (role_name, org_code) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
    [name, orgs],
  );
}

/** Creates a login role for a new user. Returns the password (generated when not given). */
export async function addUser(ownerUrl: string, input: NewUser): Promise<{ name: string; password: string }> {
  const { group, orgs, displayName } = checkInput(input);
  const password = input.password ?? generatePassword();
  return withOwner(ownerUrl, async (client) => {
    await checkOrgsExist(client, orgs);
    return inTransaction(client, async () => {
      if (await roleExists(client, input.name)) {
        throw conflictWith(`A database role called "${input.name}" already exists.`, null);
      }
      // The password goes to the server only as a SCRAM verifier, so it never appears in
      // statement logs or pg_stat_activity.
      await client.query(
        `CREATE ROLE ${client.escapeIdentifier(input.name)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${client.escapeLiteral(scramVerifier(password))}`,
      );
      await applyMembershipAndScope(client, input.name, group, orgs, displayName);
      return { name: input.name, password };
    });
  });
}

/**
 * Creates the user or brings an existing one to exactly this password, group and scope, and
 * enables it. Used at start-up for the embedded workstation's local administrator.
 */
export async function ensureUser(ownerUrl: string, input: NewUser & { password: string }): Promise<{ name: string; password: string }> {
  const { group, orgs, displayName } = checkInput(input);
  return withOwner(ownerUrl, async (client) => {
    await checkOrgsExist(client, orgs);
    return inTransaction(client, async () => {
      const role = client.escapeIdentifier(input.name);
      const verifier = client.escapeLiteral(scramVerifier(input.password));
      if (await roleExists(client, input.name)) {
        await client.query(`ALTER ROLE ${role} LOGIN PASSWORD ${verifier}`);
      } else {
        await client.query(`CREATE ROLE ${role} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${verifier}`);
      }
      await applyMembershipAndScope(client, input.name, group, orgs, displayName);
      await client.query('UPDATE ims.app_user SET disabled_at = NULL WHERE role_name = $1 AND disabled_at IS NOT NULL', [input.name]);
      return { name: input.name, password: input.password };
    });
  });
}

export async function listUsers(ownerUrl: string): Promise<UserSummary[]> {
  return withOwner(ownerUrl, async (client) => {
    const { rows } = await client.query<{
      name: string;
      display_name: string;
      groups: string[];
      orgs: string[];
      disabled: boolean;
      created_at: string;
    }>(
      `SELECT u.role_name AS name, u.display_name,
              coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname)
                        FROM pg_catalog.pg_auth_members m
                        JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                        JOIN pg_catalog.pg_roles r ON r.oid = m.member
                        WHERE r.rolname = u.role_name AND g.rolname LIKE 'ims\\_%'), '{}') AS groups,
              coalesce((SELECT array_agg(s.org_code ORDER BY s.org_code) FROM ims.user_scope s WHERE s.role_name = u.role_name), '{}') AS orgs,
              (u.disabled_at IS NOT NULL OR NOT coalesce(r.rolcanlogin, false)) AS disabled,
              to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at
       FROM ims.app_user u
       LEFT JOIN pg_catalog.pg_roles r ON r.rolname = u.role_name
       ORDER BY u.role_name`,
    );
    return rows.map((r) => ({
      name: r.name,
      displayName: r.display_name,
      roles: r.groups.map(roleOfGroup).filter((x): x is UserRole => x !== null),
      orgs: r.orgs,
      disabled: r.disabled,
      createdAt: r.created_at,
    }));
  });
}

async function requireAppUser(client: pg.Client, name: string): Promise<void> {
  validateUserName(name);
  const { rows } = await client.query('SELECT 1 FROM ims.app_user WHERE role_name = $1', [name]);
  if (rows.length === 0 || !(await roleExists(client, name))) {
    throw new AppError('NOT_FOUND', `There is no user called "${name}".`);
  }
}

/** Stops the user signing in and ends their open sessions at once. */
export async function disableUser(ownerUrl: string, name: string): Promise<void> {
  await withOwner(ownerUrl, async (client) => {
    await requireAppUser(client, name);
    await inTransaction(client, async () => {
      await client.query(`ALTER ROLE ${client.escapeIdentifier(name)} NOLOGIN`);
      await client.query('UPDATE ims.app_user SET disabled_at = now() WHERE role_name = $1 AND disabled_at IS NULL', [name]);
    });
    // After the commit, so a session cannot slip in between ending and the NOLOGIN.
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()', [
      name,
    ]);
  });
}

export async function enableUser(ownerUrl: string, name: string): Promise<void> {
  await withOwner(ownerUrl, async (client) => {
    await requireAppUser(client, name);
    await inTransaction(client, async () => {
      await client.query(`ALTER ROLE ${client.escapeIdentifier(name)} LOGIN`);
      await client.query('UPDATE ims.app_user SET disabled_at = NULL WHERE role_name = $1', [name]);
    });
  });
}

// User administration: each person is their own PostgreSQL login role, a member of one IMS
// group role, with an access scope of organisations. Runs with the owner's (or a superuser's)
// connection, because ordinary roles cannot create roles or write ims.app_user.
import { randomBytes } from 'node:crypto';
import { AppError, conflictWith, fieldError } from '../contract/result';
import { withOwnerDatabase, type OwnerDatabase } from '../platform/db/datasource';
import { RegisterRepository } from './register.repository';
import { UsersRepository } from './users.repository';
import { scramVerifier } from './scram';
import { ROLE_CODES as USER_ROLES, ROLE_GROUP as GROUP_OF, roleOfGroup, type RoleCode as UserRole } from '../shared/vocabulary/roles';

export { USER_ROLES };
const ALL_GROUPS = Object.values(GROUP_OF);

const NAME_PATTERN = /^[a-z][a-z0-9_]{2,62}$/;

export interface NewUser {
  name: string;
  role: string;
  orgs: string[];
  displayName?: string;
  password?: string;
}

/**
 * Who may connect to this database follows its users (0030): registering or enabling a user
 * grants CONNECT on it, disabling revokes it, and the database is closed to PUBLIC. A role that
 * does not own the database cannot do that; the change to the user still stands (the checks
 * inside the database and NOLOGIN still hold), and these are the statements a DBA must run.
 */
export interface ConnectOutcome {
  dbaMustRun: string[];
}

export interface UserSummary {
  name: string;
  displayName: string;
  roles: UserRole[];
  orgs: string[];
  disabled: boolean;
  createdAt: string;
}

function validateUserName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw fieldError(
      'name',
      `"${name}" is not a valid user name: use 3 to 63 lower-case letters, digits or underscores, starting with a letter.`,
    );
  }
  // Reserved for the product's group roles and PostgreSQL's own roles.
  if (name.startsWith('ims_') || name.startsWith('pg_')) {
    throw fieldError('name', `User names may not start with "ims_" or "pg_" ("${name}").`);
  }
}

function groupFor(role: string): string {
  const group = (GROUP_OF as Record<string, string | undefined>)[role];
  if (!group) {
    throw fieldError('role', `Unknown role "${role}". Use one of: ${USER_ROLES.join(', ')}.`);
  }
  return group;
}

/** Printable ASCII only: the server applies SASLprep to other characters, the verifier here does not. */
function validatePassword(password: string): void {
  if (password.length < 12 || password.length > 200 || !/^[\x21-\x7e]+$/.test(password)) {
    throw fieldError('password', 'A password needs 12 to 200 printable characters (letters, digits, punctuation; no spaces).');
  }
}

function generatePassword(): string {
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
    throw fieldError('orgs', "Give at least one organisation code for the user's access scope.");
  }
  if (input.password !== undefined) validatePassword(input.password);
  const displayName = (input.displayName ?? input.name).trim() || input.name;
  return { group, orgs, displayName };
}

// How the owner's pool shows in pg_stat_activity when a call opens one from a URL.
const APPLICATION_NAME = 'IMS user administration';

async function checkOrgsExist(register: RegisterRepository, orgs: string[]): Promise<void> {
  const known = await register.knownOrganisationCodes(orgs);
  const unknown = orgs.filter((o) => !known.has(o));
  if (unknown.length > 0) {
    throw fieldError(
      'orgs',
      `Unknown organisation code${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Add the organisation first or check the ODS code.`,
    );
  }
}

/** Makes the user a member of exactly one IMS group and scopes them to exactly these orgs. */
async function applyMembershipAndScope(
  users: UsersRepository,
  name: string,
  group: string,
  orgs: string[],
  displayName: string,
): Promise<void> {
  const groups = await users.groupsOf(name, ALL_GROUPS);
  for (const g of groups) {
    if (g !== group) await users.revokeGroup(name, g);
  }
  if (!groups.includes(group)) await users.grantGroup(name, group);
  await users.saveAppUser(name, displayName);
  await users.setScope(name, orgs);
}

/** Creates a login role for a new user. Returns the password (generated when not given). */
export async function addUser(owner: OwnerDatabase, input: NewUser): Promise<{ name: string; password: string } & ConnectOutcome> {
  const { group, orgs, displayName } = checkInput(input);
  const password = input.password ?? generatePassword();
  return withOwnerDatabase(owner, APPLICATION_NAME, async (ds) => {
    await checkOrgsExist(new RegisterRepository(ds), orgs);
    return ds.transaction(async (manager) => {
      const users = new UsersRepository(manager);
      if (await users.roleExists(input.name)) {
        throw conflictWith(`A database role called "${input.name}" already exists.`, null);
      }
      // The password goes to the server only as a SCRAM verifier, so it never appears in
      // statement logs or pg_stat_activity.
      await users.createLoginRole(input.name, scramVerifier(password));
      await applyMembershipAndScope(users, input.name, group, orgs, displayName);
      return { name: input.name, password, dbaMustRun: await users.admitRegisteredUsers() };
    });
  });
}

/**
 * Creates the user or brings an existing one to exactly this password, group and scope, and
 * enables it. Used at start-up for the embedded workstation's local administrator.
 */
export async function ensureUser(
  owner: OwnerDatabase,
  input: NewUser & { password: string },
): Promise<{ name: string; password: string } & ConnectOutcome> {
  const { group, orgs, displayName } = checkInput(input);
  return withOwnerDatabase(owner, APPLICATION_NAME, async (ds) => {
    await checkOrgsExist(new RegisterRepository(ds), orgs);
    return ds.transaction(async (manager) => {
      const users = new UsersRepository(manager);
      const verifier = scramVerifier(input.password);
      if (await users.roleExists(input.name)) await users.setPassword(input.name, verifier);
      else await users.createLoginRole(input.name, verifier);
      await applyMembershipAndScope(users, input.name, group, orgs, displayName);
      await users.markDisabled(input.name, false);
      return { name: input.name, password: input.password, dbaMustRun: await users.admitRegisteredUsers() };
    });
  });
}

export async function listUsers(owner: OwnerDatabase): Promise<UserSummary[]> {
  const rows = await withOwnerDatabase(owner, APPLICATION_NAME, (ds) => new UsersRepository(ds).list());
  return rows.map((r) => ({
    name: r.name,
    displayName: r.displayName,
    roles: r.groups.map(roleOfGroup).filter((x): x is UserRole => x !== null),
    orgs: r.orgs,
    disabled: r.disabled,
    createdAt: r.createdAt,
  }));
}

async function requireAppUser(users: UsersRepository, name: string): Promise<void> {
  validateUserName(name);
  if (!(await users.isAppUser(name)) || !(await users.roleExists(name))) {
    throw new AppError('NOT_FOUND', `There is no user called "${name}".`);
  }
}

/** Stops the user signing in and ends their open sessions at once. */
export async function disableUser(owner: OwnerDatabase, name: string): Promise<ConnectOutcome> {
  return withOwnerDatabase(owner, APPLICATION_NAME, async (ds) => {
    await requireAppUser(new UsersRepository(ds), name);
    const dbaMustRun = await ds.transaction(async (manager) => {
      const users = new UsersRepository(manager);
      // NOLOGIN stops them everywhere on the server; CONNECT here stays revoked even if another
      // database's administrator enables the login again.
      await users.setCanLogin(name, false);
      await users.markDisabled(name, true);
      return users.admitRegisteredUsers();
    });
    // After the commit, so a session cannot slip in between ending and the NOLOGIN.
    await new UsersRepository(ds).endSessions(name);
    return { dbaMustRun };
  });
}

export async function enableUser(owner: OwnerDatabase, name: string): Promise<ConnectOutcome> {
  return withOwnerDatabase(owner, APPLICATION_NAME, async (ds) => {
    await requireAppUser(new UsersRepository(ds), name);
    const dbaMustRun = await ds.transaction(async (manager) => {
      const users = new UsersRepository(manager);
      await users.setCanLogin(name, true);
      await users.markDisabled(name, false);
      return users.admitRegisteredUsers();
    });
    return { dbaMustRun };
  });
}

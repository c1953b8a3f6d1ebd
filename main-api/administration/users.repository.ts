// SQL for users: PostgreSQL login roles, their IMS group, their row in ims.app_user and their
// scope of organisations. Runs on the owner's connection; role names go through the
// identifier quoting because DDL takes no parameters.
import { execute, query, queryOne, quoteIdentifier, quoteLiteral, type Queryable } from '../platform/db/database';

/** A user as stored: groups are database role names, not yet the product's roles. */
export interface UserRow {
  name: string;
  displayName: string;
  groups: string[];
  orgs: string[];
  disabled: boolean;
  createdAt: string;
}

export class UsersRepository {
  constructor(private readonly db: Queryable) {}

  async roleExists(name: string): Promise<boolean> {
    return (await queryOne(this.db, 'SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [name])) !== null;
  }

  async isAppUser(name: string): Promise<boolean> {
    return (await queryOne(this.db, 'SELECT 1 FROM ims.app_user WHERE role_name = $1', [name])) !== null;
  }

  /** `verifier` is a SCRAM verifier, so the password itself never reaches the server. */
  async createLoginRole(name: string, verifier: string): Promise<void> {
    await execute(
      this.db,
      `CREATE ROLE ${quoteIdentifier(name)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD ${quoteLiteral(verifier)}`,
    );
  }

  async setPassword(name: string, verifier: string): Promise<void> {
    await execute(this.db, `ALTER ROLE ${quoteIdentifier(name)} LOGIN PASSWORD ${quoteLiteral(verifier)}`);
  }

  async setCanLogin(name: string, canLogin: boolean): Promise<void> {
    await execute(this.db, `ALTER ROLE ${quoteIdentifier(name)} ${canLogin ? 'LOGIN' : 'NOLOGIN'}`);
  }

  /** Which of these group roles the role is a direct member of. */
  async groupsOf(name: string, groups: readonly string[]): Promise<string[]> {
    const rows = await query<{ group: string }>(
      this.db,
      `SELECT g.rolname AS group FROM pg_catalog.pg_auth_members m
         JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
         JOIN pg_catalog.pg_roles u ON u.oid = m.member
       WHERE u.rolname = $1 AND g.rolname = ANY ($2::text[])`,
      [name, groups],
    );
    return rows.map((r) => r.group);
  }

  async grantGroup(name: string, group: string): Promise<void> {
    await execute(this.db, `GRANT ${quoteIdentifier(group)} TO ${quoteIdentifier(name)}`);
  }

  async revokeGroup(name: string, group: string): Promise<void> {
    await execute(this.db, `REVOKE ${quoteIdentifier(group)} FROM ${quoteIdentifier(name)}`);
  }

  async saveAppUser(name: string, displayName: string): Promise<void> {
    await execute(
      this.db,
      `INSERT INTO ims.app_user (role_name, display_name) VALUES ($1, $2)
       ON CONFLICT (role_name) DO UPDATE SET display_name = EXCLUDED.display_name
         WHERE ims.app_user.display_name IS DISTINCT FROM EXCLUDED.display_name`,
      [name, displayName],
    );
  }

  /** Makes the user's scope exactly these organisations. */
  async setScope(name: string, orgs: string[]): Promise<void> {
    await execute(this.db, 'DELETE FROM ims.user_scope WHERE role_name = $1 AND NOT (org_code = ANY ($2::text[]))', [name, orgs]);
    await execute(this.db, `INSERT INTO ims.user_scope (role_name, org_code) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [
      name,
      orgs,
    ]);
  }

  async markDisabled(name: string, disabled: boolean): Promise<void> {
    await execute(
      this.db,
      disabled
        ? 'UPDATE ims.app_user SET disabled_at = now() WHERE role_name = $1 AND disabled_at IS NULL'
        : 'UPDATE ims.app_user SET disabled_at = NULL WHERE role_name = $1 AND disabled_at IS NOT NULL',
      [name],
    );
  }

  /**
   * Closes this database to PUBLIC and lets exactly its registered, enabled users connect
   * (0030). Returns the statements this role had no right to run, for a DBA; none when done.
   */
  async admitRegisteredUsers(): Promise<string[]> {
    return (await queryOne<{ missing: string[] }>(this.db, 'SELECT ims.admit_registered_users() AS missing'))?.missing ?? [];
  }

  /** Ends the role's open sessions, other than this connection. */
  async endSessions(name: string): Promise<void> {
    await execute(
      this.db,
      'SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  }

  async list(): Promise<UserRow[]> {
    return query<UserRow>(
      this.db,
      `SELECT u.role_name AS name, u.display_name AS "displayName",
              coalesce((SELECT array_agg(g.rolname::text ORDER BY g.rolname)
                        FROM pg_catalog.pg_auth_members m
                        JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                        JOIN pg_catalog.pg_roles r ON r.oid = m.member
                        WHERE r.rolname = u.role_name AND g.rolname LIKE 'ims\\_%'), '{}') AS groups,
              coalesce((SELECT array_agg(s.org_code ORDER BY s.org_code) FROM ims.user_scope s WHERE s.role_name = u.role_name), '{}') AS orgs,
              (u.disabled_at IS NOT NULL OR NOT coalesce(r.rolcanlogin, false)) AS disabled,
              to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt"
       FROM ims.app_user u
       LEFT JOIN pg_catalog.pg_roles r ON r.rolname = u.role_name
       ORDER BY u.role_name`,
    );
  }
}

// Who is signed in, as the database sees it: the login role, its groups and its organisations.
import type { SessionInfo } from '../contract/session';
import { query, queryOne, type Queryable } from '../platform/db/database';
import { userDisplayName } from './user-names';
import { capabilitiesOf, ROLE_LABELS, roleOfGroup, type RoleCode } from '../shared/vocabulary/roles';

interface WhoRow {
  user: string;
  displayName: string;
  /** The ims_* group roles the login role belongs to. */
  roles: string[];
}

export class SessionRepository {
  constructor(private readonly db: Queryable) {}

  async sessionInfo(
    kind: 'embedded' | 'server',
    where: { host: string; database: string },
    version: string,
    today: string,
  ): Promise<SessionInfo> {
    const who = await queryOne<WhoRow>(
      this.db,
      `SELECT session_user AS "user",
              ${userDisplayName('session_user')} AS "displayName",
              ARRAY(SELECT g.rolname::text FROM pg_roles g
                    WHERE g.rolname LIKE 'ims\\_%' AND pg_has_role(session_user, g.oid, 'MEMBER')
                      -- Groups are server-wide: a role counts only in a database that registers the user (0021).
                      AND ims.is_registered_user()
                    ORDER BY g.rolname) AS roles`,
    );
    const organisations = await query<{ code: string; name: string }>(this.db, `SELECT code, name FROM api.my_organisations()`);
    // Every connection has a session user, so the row is always there.
    if (!who) throw new Error('The database did not say who is signed in.');
    const roleCodes = who.roles.map(roleOfGroup).filter((r): r is RoleCode => r !== null);
    return {
      user: who.user,
      displayName: who.displayName,
      roles: roleCodes.map((r) => ROLE_LABELS[r]),
      roleCodes,
      capabilities: capabilitiesOf(roleCodes),
      today,
      organisations,
      connection: { kind, host: where.host, database: where.database },
      version,
    };
  }
}

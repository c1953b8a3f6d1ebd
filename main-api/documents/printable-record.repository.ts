// SQL for the printable record beyond the person and their history: who issues it, and the
// antigens' names. Runs as the signed-in user.
import { query, queryOne, type Queryable } from '../platform/db/database';

export interface Issuer {
  code: string;
  name: string;
}

export class PrintableRecordRepository {
  constructor(private readonly db: Queryable) {}

  /** The first organisation (by name) in the signed-in user's scope; null for none. */
  issuer(): Promise<Issuer | null> {
    return queryOne<Issuer>(
      this.db,
      `SELECT o.code, o.name FROM ims.user_scope s JOIN ims.organisation o ON o.code = s.org_code
       WHERE s.role_name = session_user ORDER BY o.name LIMIT 1`,
    );
  }

  async antigenNames(): Promise<Map<string, string>> {
    const rows = await query<{ code: string; name: string }>(this.db, `SELECT code, name FROM ims.antigen`);
    return new Map(rows.map((a) => [a.code, a.name]));
  }
}

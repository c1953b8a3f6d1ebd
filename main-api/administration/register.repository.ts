// SQL about the register as a whole, for the owner's set-up work: whether anyone has started
// using the database, its regions, and which organisation codes exist.
import { query, queryOne, type Queryable } from '../platform/db/database';

export class RegisterRepository {
  constructor(private readonly db: Queryable) {}

  /** No organisations and no people: a database nobody has started using. */
  async isEmpty(): Promise<boolean> {
    const row = await queryOne<{ empty: boolean }>(
      this.db,
      `SELECT NOT EXISTS (SELECT 1 FROM ims.organisation) AND NOT EXISTS (SELECT 1 FROM ims.person) AS empty`,
    );
    return row?.empty === true;
  }

  /** ODS codes of the NHS England regions on the register. */
  async regionCodes(): Promise<string[]> {
    const rows = await query<{ code: string }>(this.db, `SELECT code FROM ims.organisation WHERE org_type = 'REGION' ORDER BY code`);
    return rows.map((r) => r.code);
  }

  /** Which of these organisation codes are on the register. */
  async knownOrganisationCodes(codes: string[]): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    const rows = await query<{ code: string }>(this.db, `SELECT code FROM ims.organisation WHERE code = ANY ($1::text[])`, [codes]);
    return new Set(rows.map((r) => r.code));
  }
}

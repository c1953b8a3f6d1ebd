// A fingerprint of what an attack could change, read as the owner: a hash of every row of every
// table in the ims and audit schemas, the number of objects in each schema a user could try to
// create in, and the server's IMS group roles, the given login roles and any role named attack_*
// (attributes, password verifier, memberships). Compare two with changedParts().
//
// The rows are hashed order-independently (the count and the sum of a 64-bit hash of each row
// version's place and writer) in one statement naming every table: the sweeps take thousands of
// fingerprints, and one sorted aggregate of every row's text per table, each its own query, made
// them the suite's slowest part. The tables are listed once per database; a table made or
// dropped since shows in 'objects in <schema>' (or fails the statement). The statement is
// prepared: planning its hundred-way union cost more than running it over a test's rows.
import type { TestDatabase } from './db';

const CATALOG = `
  SELECT 'objects in ' || n.nspname AS part,
         ((SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid)
          + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)
          + (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = n.oid AND t.tgenabled <> 'D')
          + (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = n.oid))::text AS hash
  FROM pg_namespace n WHERE n.nspname IN ('ims', 'audit', 'api', 'public')
  UNION ALL
  SELECT 'schemas', count(*)::text FROM pg_namespace WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%'
  UNION ALL
  SELECT 'roles', string_agg(r.rolname || ':' || r.rolsuper || r.rolbypassrls || r.rolcreaterole || r.rolcreatedb || coalesce(r.rolpassword, '')
                             || ':' || (SELECT coalesce(string_agg(m.roleid::regrole::text, ' ' ORDER BY 1), '')
                                        FROM pg_auth_members m WHERE m.member = r.oid), ',' ORDER BY r.rolname)
  FROM pg_authid r
  WHERE r.rolname = ANY ($1) OR r.rolname LIKE 'ims\\_%' OR r.rolname LIKE 'attack\\_%'`;

/** The fingerprint statement of each database, by name: its tables' hashes, then the catalogue's parts. */
const statements = new Map<string, string>();

async function statementFor(db: TestDatabase): Promise<string> {
  let sql = statements.get(db.name);
  if (sql === undefined) {
    const tables = await db.query<{ name: string }>(
      `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('ims', 'audit') ORDER BY 1`,
    );
    // Names from the catalogue, quoted by regclass. Each row version is hashed by where it is
    // and which transaction wrote it (ctid, xmin): any insert, update or delete changes the sum,
    // and no row's contents need reading.
    const parts = tables.rows.map(
      (t) =>
        `SELECT '${t.name}' AS part, count(*) || ':' || coalesce(sum(hashtextextended(x.ctid::text || x.xmin::text, 0)), 0) AS hash FROM ${t.name} x`,
    );
    sql = [...parts, CATALOG].join('\n  UNION ALL\n');
    statements.set(db.name, sql);
  }
  return sql;
}

export type Fingerprint = Map<string, string>;

export async function fingerprint(db: TestDatabase, roles: readonly string[] = []): Promise<Fingerprint> {
  const sql = await statementFor(db);
  return new Map(
    (await db.queryPrepared<{ part: string; hash: string }>(`fingerprint_${db.name}`, sql, [roles])).rows.map((r) => [r.part, r.hash]),
  );
}

/** The parts that differ: table names, 'objects in <schema>', 'schemas' or 'roles'. */
export function changedParts(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
}

// A fingerprint of what an attack could change, read as the owner: a hash of every row of every
// table in the ims and audit schemas, the number of objects in each schema a user could try to
// create in, and the server's IMS group roles, the given login roles and any role named attack_*
// (attributes, password verifier, memberships). Compare two with changedParts().
import type { TestDatabase } from './db';

const FINGERPRINT = `
  SELECT c.oid::regclass::text AS part,
         (xpath('/row/h/text()', query_to_xml(
            format('SELECT md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) AS h FROM %s t', c.oid::regclass),
            false, true, '')))[1]::text AS hash
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('ims', 'audit')
  UNION ALL
  SELECT 'objects in ' || n.nspname, ((SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid)
                                    + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)
                                    + (SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = n.oid AND t.tgenabled <> 'D')
                                    + (SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = n.oid))::text
  FROM pg_namespace n WHERE n.nspname IN ('ims', 'audit', 'api', 'public')
  UNION ALL
  SELECT 'schemas', count(*)::text FROM pg_namespace WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast%'
  UNION ALL
  SELECT 'roles', string_agg(r.rolname || ':' || r.rolsuper || r.rolbypassrls || r.rolcreaterole || r.rolcreatedb || coalesce(r.rolpassword, '')
                             || ':' || (SELECT coalesce(string_agg(m.roleid::regrole::text, ' ' ORDER BY 1), '')
                                        FROM pg_auth_members m WHERE m.member = r.oid), ',' ORDER BY r.rolname)
  FROM pg_authid r
  WHERE r.rolname = ANY ($1) OR r.rolname LIKE 'ims\\_%' OR r.rolname LIKE 'attack\\_%'`;

export type Fingerprint = Map<string, string>;

export async function fingerprint(db: TestDatabase, roles: readonly string[] = []): Promise<Fingerprint> {
  return new Map((await db.query<{ part: string; hash: string }>(FINGERPRINT, [roles])).rows.map((r) => [r.part, r.hash]));
}

/** The parts that differ: table names, 'objects in <schema>', 'schemas' or 'roles'. */
export function changedParts(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
}

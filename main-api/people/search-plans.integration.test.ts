// Person search must read the register through an index. Search runs in api.person_search
// (0023) as the owner, with the caller's scope as parameters: the plans checked here are of the
// statements that function runs (ims.person_search_sql), with a scoped user's scope. Checked by
// plan shape on a register big enough that a scan is never the cheap choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { loadDemoRegion } from '../demo/load';
import { parseSearch } from './search.rules';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { withClient } from '../../tests/support/fixtures';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Subplan Name'?: string;
  Plans?: PlanNode[];
}

/** The part of a page's plan that picks its rows (0028): the CTE named hit. */
function pickOf(node: PlanNode): PlanNode | null {
  if (node['Subplan Name'] === 'CTE hit') return node;
  for (const child of node.Plans ?? []) {
    const found = pickOf(child);
    if (found) return found;
  }
  return null;
}

function nodeTypes(node: PlanNode, out: string[] = []): string[] {
  out.push(node['Node Type']);
  for (const child of node.Plans ?? []) nodeTypes(child, out);
  return out;
}

function scansOfPerson(node: PlanNode, out: string[] = []): string[] {
  if (node['Relation Name'] === 'person') out.push(node['Node Type']);
  for (const child of node.Plans ?? []) scansOfPerson(child, out);
  return out;
}

describe('person search plans', () => {
  let db: TestDatabase;
  let url: string;
  let scope: { practices: string[]; las: string[] };
  let sample: { nhs: string; family: string; given: string; dob: string; postcode: string; sector: string; district: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    await loadDemoRegion(db.url, { persons: 30_000, seed: 3, histories: false });
    const r = await db.query(
      `SELECT nhs_number AS nhs, family_name AS family, given_name AS given, to_char(date_of_birth, 'DD/MM/YYYY') AS dob,
              postcode, postcode_sector AS sector, postcode_district AS district
       FROM ims.person WHERE postcode IS NOT NULL ORDER BY id LIMIT 1`,
    );
    sample = r.rows[0] as typeof sample;
    const region = (await db.query(`SELECT code FROM ims.organisation WHERE org_type = 'ICB' LIMIT 1`)).rows[0]!.code as string;
    const user = await addUser(db.url, { name: uniqueName('planner'), role: 'coordinator', orgs: [region] });
    url = db.urlAs(user.name, user.password);
    scope = await withClient(url, async (c) => {
      const r = await c.query(`SELECT ims.scope_practices() AS practices, ims.scope_local_authorities() AS las`);
      return r.rows[0] as { practices: string[]; las: string[] };
    });
  });

  afterAll(async () => {
    await db.drop();
  });

  const planFor = async (text: string, statement: 'page' | 'count' | 'near' = 'page'): Promise<PlanNode> => {
    const q = parseSearch(text, '2026-12-01') as Record<string, unknown> & { postcode?: { value: string } };
    const built = await db.query<{ sql: string | null }>(`SELECT ims.person_search_sql($1::jsonb, $2) AS sql`, [
      JSON.stringify(q),
      statement,
    ]);
    const sql = built.rows[0]!.sql!;
    // The parameters the function binds, typed as it binds them.
    const params = [
      q.nhsNumber ?? null,
      q.surname ?? null,
      q.givenName ?? null,
      q.dateOfBirth ?? null,
      q.name ?? null,
      q.postcode?.value ?? null,
      false,
      scope.practices,
      scope.las,
      statement === 'count' ? 1001 : 51,
      0,
    ];
    return withClient(db.url, async (c) => {
      await c.query(`PREPARE s(text, text, text, text, text, text, boolean, text[], text[], integer, integer) AS ${sql}`);
      // EXECUTE takes no bind parameters: the values go in as quoted literals.
      const literal = (v: unknown): string =>
        v === null
          ? 'NULL'
          : Array.isArray(v)
            ? `ARRAY[${v.map((x) => c.escapeLiteral(String(x))).join(', ')}]::text[]`
            : typeof v === 'string'
              ? c.escapeLiteral(v)
              : String(v);
      const r = await c.query(`EXPLAIN (FORMAT JSON) EXECUTE s(${params.map(literal).join(', ')})`);
      return (r.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
    });
  };

  const cases: [string, () => string][] = [
    ['NHS number', () => sample.nhs],
    ['surname and date of birth', () => `${sample.family} ${sample.dob}`],
    ['surname alone', () => sample.family.slice(0, 4)],
    ['given name and surname', () => `${sample.given} ${sample.family}`],
    ['partial name and full postcode', () => `${sample.given.slice(0, 2)} ${sample.postcode}`],
    ['partial name and postcode sector', () => `${sample.given.slice(0, 2)} ${sample.sector}`],
    ['partial name and postcode district', () => `${sample.given.slice(0, 2)} ${sample.district}`],
    ['first letters of the surname and date of birth', () => `${sample.family.slice(0, 3)} ${sample.dob}`],
    ['full postcode alone', () => sample.postcode],
    ['postcode sector alone', () => sample.sector],
  ];

  it.each(cases)('%s reads person through an index', async (_name, text) => {
    for (const statement of ['page', 'count'] as const) {
      const scans = scansOfPerson(await planFor(text(), statement));
      expect(scans.length).toBeGreaterThan(0);
      expect(scans).not.toContain('Seq Scan');
    }
  });

  // The near-match search compares the stored sound key by equality, so it too reaches the
  // register through an index under row-level security.
  it.each([
    ['a sound-alike surname', () => sample.family],
    ['a sound-alike surname and date of birth', () => `${sample.family} ${sample.dob}`],
  ])('%s reads person through an index', async (_name, text) => {
    const plan = await planFor(text(), 'near');
    const scans = scansOfPerson(plan);
    expect(scans.length).toBeGreaterThan(0);
    expect(scans).not.toContain('Seq Scan');
  });

  it('sound-alikes of a common surname are read in order from the index, not sorted in full', async () => {
    const common = (await db.query(`SELECT family_name FROM ims.person GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).rows[0]!
      .family_name as string;
    const types = nodeTypes(await planFor(common, 'near'));
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Incremental Sort');
  });

  // Which rows match, in scope and in name order, is read from an index alone; the table is
  // visited only for the page's own rows. Not for an NHS number or a full postcode, which
  // match a handful of people.
  it.each(cases.filter(([name]) => name !== 'NHS number' && !name.includes('full postcode')))(
    '%s picks its matches from an index alone',
    async (_name, text) => {
      const pick = pickOf(await planFor(text()));
      expect(pick).not.toBeNull();
      expect(scansOfPerson(pick!)).toEqual(['Index Only Scan']);
      expect(scansOfPerson(await planFor(text(), 'count'))).toEqual(['Index Only Scan']);
    },
  );

  it('a common surname is read in order from the index, not sorted in full', async () => {
    const common = (await db.query(`SELECT family_name FROM ims.person GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).rows[0]!
      .family_name as string;
    const types = nodeTypes(pickOf(await planFor(common))!);
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Incremental Sort');
  });

  it('still finds the person as that user', async () => {
    const q = parseSearch(`${sample.family} ${sample.dob}`, '2026-12-01');
    const rows = await withClient(
      url,
      async (c) => (await c.query(`SELECT nhs_number FROM api.person_search($1::jsonb, 51, 0)`, [JSON.stringify(q)])).rows,
    );
    expect(rows.map((r) => r.nhs_number)).toContain(sample.nhs);
  });
});

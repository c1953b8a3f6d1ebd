// Person search must use an index for application users, whose every query runs under
// row-level security: a condition the planner may not evaluate before the policy (LIKE or
// lower() on a column) turns a search into a scan of the whole register. Checked by plan
// shape on a register big enough that a scan is never the cheap choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { loadDemoRegion } from '../demo/load';
import { countStatement, nearMatchStatement, searchStatement } from './person.repository';
import { parseSearch } from './search.rules';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { withClient } from '../../tests/support/fixtures';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
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

describe('person search plans under row-level security', () => {
  let db: TestDatabase;
  let url: string;
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
  });

  afterAll(async () => {
    await db.drop();
  });

  const planFor = async (text: string, statement: 'page' | 'count' | 'near' = 'page'): Promise<PlanNode> => {
    const q = parseSearch(text, '2026-12-01');
    const { sql, params } =
      statement === 'page'
        ? searchStatement(q, { limit: 50, offset: 0 })
        : statement === 'count'
          ? countStatement(q, 1000)
          : nearMatchStatement(q, 20)!;
    return withClient(url, async (c) => {
      const r = await c.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
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

  it('a common surname is read in order from the index, not sorted in full', async () => {
    const common = (await db.query(`SELECT family_name FROM ims.person GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).rows[0]!
      .family_name as string;
    const types = nodeTypes(await planFor(common));
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Incremental Sort');
  });

  it('still finds the person as that user', async () => {
    const { sql, params } = searchStatement(parseSearch(`${sample.family} ${sample.dob}`, '2026-12-01'), { limit: 50, offset: 0 });
    const rows = await withClient(url, async (c) => (await c.query(sql, params)).rows);
    expect(rows.map((r) => r.nhsNumber)).toContain(sample.nhs);
  });
});

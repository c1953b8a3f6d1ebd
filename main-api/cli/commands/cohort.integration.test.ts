// `ims cohort count` and `ims cohort list` against a real database, as the role the URL names.
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CohortCount } from '../../contract/cohorts';
import type { CliContext } from '../context';
import { registerCohortCommands } from './cohort';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';

const EXAMPLE = join(__dirname, '../../../resources/cohorts/flu-2026-27-65-and-at-risk.json');
const nhs = nhsSequence(999_650_000, 7);

describe('ims cohort count and list', () => {
  let db: TestDatabase;

  async function ims(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerCohortCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    for (const [i, dob] of ['1950-01-01', '1960-06-30', '1990-01-01'].entries())
      await db.query(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, practice_code, postcode)
         VALUES ($1, 'Count', 'Cli', $2, '2', 'G82001', 'ME1 1AA')`,
        [nhs(i + 1), dob],
      );
    await db.query(`INSERT INTO ims.contact_details (person_id, mobile) SELECT id, '07700900002' FROM ims.person`);
    // As the population refresh does after a load.
    await db.query(`SELECT ims.cohort_facts_rebuild('2026-12-01')`);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('counts a definition file with breakdowns, as JSON and as text', async () => {
    const [json] = await ims('cohort', 'count', EXAMPLE, '--json', '--by', 'sex,ageBand');
    const count = JSON.parse(json!) as CohortCount;
    expect(count.count).toBe(2);
    expect(count.breakdowns.sex).toEqual([{ code: '2', label: 'Female', count: 2 }]);
    expect(count.breakdowns.ageBand?.map((b) => b.label)).toEqual(['65 to 74', '75 to 84']);
    const [text] = await ims('cohort', 'count', EXAMPLE, '--by', '');
    expect(text).toMatch(/In the cohort: 2$/m);
  });

  it('refuses an unknown breakdown, and lists saved definitions (none yet)', async () => {
    await expect(ims('cohort', 'count', EXAMPLE, '--by', 'shoeSize')).rejects.toThrow(/Unknown breakdown shoeSize/);
    expect(await ims('cohort', 'list')).toEqual(['No saved cohort definitions.']);
  });
});

// `ims cover` against a real database: the return as CSV on standard output or in a file, and
// the mistakes it names.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../../shared/vocabulary/products';
import type { CliContext } from '../context';
import { registerCoverCommands } from './cover';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';

const nhs = nhsSequence(999_660_000, 7);

describe('ims cover', () => {
  let db: TestDatabase;

  async function ims(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerCoverCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    // Two children reaching 5 years in January to March 2026, one with both MMR doses.
    for (const [i, dob] of ['2021-01-10', '2021-02-10'].entries()) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
         VALUES ($1, 'Cover', 'Cli', $2, 'G82001') RETURNING id`,
        [nhs(i + 1), dob],
      );
      if (i === 0)
        await db.query(
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
           SELECT $1, 'ROUTINE_CHILDHOOD', 'GIVEN', d, $2, false, 'GP' FROM unnest('{2022-01-20,2024-06-01}'::date[]) AS d`,
          [r.rows[0]!.id, PRODUCT.PRIORIX],
        );
    }
  });

  afterAll(async () => {
    await db.drop();
  });

  it('writes the return by practice to standard output and to a file', async () => {
    const [csv] = await ims('cover', '--quarter', '2026-Q1', '--by', 'practice');
    const lines = csv!.trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    const alpha = lines[1]!.split(',');
    const at = (measure: string) => alpha[header.indexOf(`${measure} numerator`)] + '/' + alpha[header.indexOf(`${measure} denominator`)];
    expect(alpha.slice(3, 6)).toEqual(['GP practice', 'G82001', 'Alpha Surgery']);
    expect(at('5Y_MMR2')).toBe('1/2');
    expect(alpha[header.indexOf('5Y_MMR2 %')]).toBe('50.0');

    const file = join(mkdtempSync(join(tmpdir(), 'ims-cover-')), 'cover.csv');
    const [said] = await ims('cover', '--quarter', '2026-Q1', '--out', file);
    expect(said).toMatch(/^COVER 2026-Q1 \(1 January 2026 to 31 March 2026\) by local-authority: 2 rows written to /);
    expect(readFileSync(file, 'utf8')).toMatch(/^Quarter,Period start,Period end,Area type/);
  });

  it('names a mistaken quarter or grouping', async () => {
    await expect(ims('cover', '--quarter', '2026-3')).rejects.toThrow(/--quarter 2026-3: Write the quarter as YYYY-Qn/);
    await expect(ims('cover', '--quarter', '2026-Q1', '--by', 'icb')).rejects.toThrow(/--by icb: use la or practice/);
  });
});

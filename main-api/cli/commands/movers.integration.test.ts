// `ims catch-up` through commander against a real database, as the command line runs it (the
// schema owner): the plan with its reasons, and the printed plan and transfer summary as files.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import { PRODUCT } from '../../shared/vocabulary/products';
import type { CliContext } from '../context';
import { registerMoverCommands } from './movers';

const nhs = nhsSequence(999_660_000, 7);

describe('ims catch-up', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ims-catch-up-cli-'));

  async function ims(...args: string[]): Promise<string> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerMoverCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out.join('\n');
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    const p = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
       VALUES ($1, 'Ola', 'Nowak', current_date - interval '3 years', 'G82001', 'ME1 1AA') RETURNING id`,
      [nhs(1)],
    );
    await db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by, reported_by_name)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', current_date - interval '33 months', $2, false, 'OVERSEAS', 'Poland')`,
      [p.rows[0]!.id, PRODUCT.DTAP_IPV_HIB],
    );
    await db.query(`INSERT INTO ims.person_arrival (person_id, arrived_on, from_country) VALUES ($1, current_date - 30, 'PL')`, [
      p.rows[0]!.id,
    ]);
  });

  afterAll(async () => {
    await db.drop();
  });

  it('prints the plan with its reasons and writes both documents', async () => {
    const plan = join(dir, 'plan.pdf');
    const transfer = join(dir, 'transfer.pdf');
    const out = await ims('catch-up', '--nhs-number', nhs(1), '--pdf', plan, '--transfer', transfer);
    expect(out).toContain('from Poland');
    expect(out).toMatch(/Visit 1, from \d{4}-\d{2}-\d{2}:\n {2}6-in-1: 6-in-1 \(DTaP\/IPV\/Hib\/HepB\), dose 2/);
    expect(out).toContain('Counted: the DTaP/IPV/Hib dose on');
    expect(out).toContain('Rotavirus (TOO LATE)');
    for (const file of [plan, transfer]) {
      expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(statSync(file).mode & 0o077).toBe(0);
    }
  });

  it('refuses a number that is not an NHS number, and one not on the register', async () => {
    await expect(ims('catch-up', '--nhs-number', '123')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(ims('catch-up', '--nhs-number', nhs(2))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

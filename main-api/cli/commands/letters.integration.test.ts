// `ims letters produce` through commander against a real database, as the command line runs it
// (the schema owner): the pending letters become a PDF and a manifest, and a second run finds
// nothing left to produce.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/result';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import type { CliContext } from '../context';
import { registerLetterCommands } from './letters';

const nhs = nhsSequence(999_650_000, 7);

describe('ims letters produce', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ims-letters-cli-'));

  async function ims(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerLetterCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    await db.query(`
      INSERT INTO ims.campaign (id, code, name, programme_code, organisation_code, channels, booking_route)
        VALUES (1, 'CLI-LETTERS', 'Flu by letter', 'FLU_2026_27', 'QKS', ARRAY['LETTER'], 'NATIONAL');
      INSERT INTO ims.message_template (campaign_id, name, version, purpose, channel, subject, body)
        VALUES (1, 'cli-letter', 1, 'INVITATION', 'LETTER', 'Your flu vaccination', 'Dear ((full name)),\n\nBook through the ((booking route)).');
      INSERT INTO ims.campaign_template (campaign_id, purpose, channel, template_name, template_version) VALUES (1, 'INVITATION', 'LETTER', 'cli-letter', 1);
      INSERT INTO ims.invitation_batch (id, campaign_id, draft_key, definition) VALUES (1, 1, gen_random_uuid(), '{}');`);
    for (const [i, name] of ['One', 'Two'].entries()) {
      const p = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
         VALUES ($1, 'Ada', $2, '1950-01-01', 'G82001', 'ME1 1AA') RETURNING id`,
        [nhs(i + 1), name],
      );
      const id = p.rows[0]!.id;
      await db.query(`INSERT INTO ims.contact_details (person_id, address_line1, town) VALUES ($1, '1 Road', 'Maidstone')`, [id]);
      await db.query(
        `WITH i AS (INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
                    VALUES (1, $1, 1, 1, '2026-10-01', 'LETTER') RETURNING id)
         INSERT INTO ims.communication (person_id, campaign_id, invitation_id, purpose, channel) SELECT $1, 1, i.id, 'INVITATION', 'LETTER' FROM i`,
        [id],
      );
    }
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('writes the letters and a manifest, then finds nothing left', async () => {
    const out = await ims('letters', 'produce', '--campaign', 'CLI-LETTERS', '--out', dir, '--due-by', '2026-10-31', '--workers', '0');
    expect(out[0]).toMatch(/^Starting letter run \d+ into /);
    expect(out.at(-1)).toMatch(/^Done: 2 letters produced, 0 not produced; manifest .*manifest\.csv$/);
    const folder = readdirSync(dir).find((f) => f.startsWith('CLI-LETTERS-run'))!;
    expect(readdirSync(join(dir, folder)).sort()).toEqual(['letters-0001.pdf', 'manifest.csv']);
    expect(
      readFileSync(join(dir, folder, 'manifest.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(3);
    const again = await ims('letters', 'produce', '--campaign', 'CLI-LETTERS', '--out', dir, '--due-by', '2026-10-31', '--workers', '0');
    expect(again.at(-1)).toMatch(/^Done: 0 letters produced/);
  });

  it('refuses a layout it does not know', async () => {
    await expect(ims('letters', 'produce', '--campaign', 'CLI-LETTERS', '--out', dir, '--layout', 'scroll')).rejects.toBeInstanceOf(
      AppError,
    );
  });
});

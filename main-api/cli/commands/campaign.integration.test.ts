// `ims campaign import-bookings`, `ims campaign export-notify` and `ims run-reminders` through
// commander against a real database, as the command line runs them (the schema owner).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/result';
import { todayInLondon } from '../../shared/calendar/england';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import type { CliContext } from '../context';
import { registerCampaignCommands } from './campaign';

const nhs = nhsSequence(999_640_000, 7);
const TODAY = '2026-11-02';

describe('ims campaign commands', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ims-campaign-'));

  async function ims(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerCampaignCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    await db.query(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
       VALUES ($1, 'Ada', 'One', '1950-01-01', 'G82001', 'ME1 1AA'), ($2, 'Bo', 'Two', '1951-01-01', 'G82001', 'ME1 1AA')`,
      [nhs(1), nhs(2)],
    );
    await db.query(
      `INSERT INTO ims.contact_details (person_id, mobile, preferred_channel) SELECT id, '07700900555', 'SMS' FROM ims.person`,
    );
    await db.query(`SELECT ims.cohort_facts_rebuild($1::date)`, [todayInLondon()]);
    await db.query(
      `SELECT api.campaign_save('CLI-FLU', 'Flu by command', 'FLU_2026_27', 'QKS', ARRAY['SMS'], 'NATIONAL', NULL, NULL, NULL)`,
    );
    await db.query(`SELECT api.campaign_set_reminder_rules('CLI-FLU', ARRAY[14], ARRAY['SMS'])`);
    await db.query(
      `SELECT api.invitation_batch_confirm(
         api.invitation_batch_draft('CLI-FLU', '{"format": 1, "name": "All", "referenceDate": "2026-08-31", "criteria": {"practice": ["G82001"]}}',
                                    gen_random_uuid()),
         'per-day', 100, '2026-10-01', 0, 'oldest', NULL)`,
    );
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('saves a campaign from a file (the shipped example), and refuses a bad one naming the field', async () => {
    const example = join(__dirname, '../../../resources/campaigns/flu-2026-27-kent-and-medway.json');
    expect(await ims('campaign', 'save', example)).toEqual([
      'Saved FLU-2026-KM (Flu 2026 to 2027, Kent and Medway): SMS, EMAIL, LETTER; 5 templates, 2 reminder rules.',
    ]);
    const rules = await db.query(
      `SELECT r.days_after_invitation, r.channel FROM ims.campaign_reminder_rule r JOIN ims.campaign k ON k.id = r.campaign_id
       WHERE k.code = 'FLU-2026-KM' ORDER BY 1`,
    );
    expect(rules.rows).toEqual([
      { days_after_invitation: 14, channel: 'SMS' },
      { days_after_invitation: 28, channel: 'LETTER' },
    ]);
    const bad = join(dir, 'bad-campaign.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(example, 'utf8')), channels: ['PIGEON'] }));
    await expect(ims('campaign', 'save', bad)).rejects.toThrow(/channels\.0/);
  });

  it('exports the pending invitations to a Notify file and marks them sent', async () => {
    const file = join(dir, 'sms.csv');
    expect(await ims('campaign', 'export-notify', '--campaign', 'CLI-FLU', '--channel', 'sms', '--due-by', TODAY, '--out', file)).toEqual([
      `2 messages written to ${file} and marked sent.`,
    ]);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('phone number,first name,last name,nhs number,campaign,how to book,reference');
    expect(lines).toHaveLength(3);
  });

  it('lists every bad row of a booking file and imports nothing, then imports a good one', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `nhs_number,date,status,reference\n${nhs(1)},2026-11-10,BOOKED,X1\n1234567890,2026-11-10,BOOKED,X2\n`);
    const error = await ims('campaign', 'import-bookings', bad, '--campaign', 'CLI-FLU').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    expect((error as AppError).message).toMatch(/1 row of the file cannot be imported; nothing was imported\.\n {2}row 2, nhsNumber: /);
    expect((await db.query(`SELECT 1 FROM ims.booking`)).rowCount).toBe(0);
    const good = join(dir, 'good.csv');
    writeFileSync(good, `nhs_number,date,status,reference\n${nhs(1)},2026-11-10,BOOKED,X1\n`);
    expect(await ims('campaign', 'import-bookings', good, '--campaign', 'CLI-FLU')).toEqual([
      '1 added, 0 updated, 0 did-not-attend follow-ups made.',
    ]);
  });

  it('runs the reminders due on a given day, once', async () => {
    await db.query(`UPDATE ims.communication SET sent_at = ($1::date - 14) + time '09:00' WHERE purpose = 'INVITATION'`, [TODAY]);
    // The booked person gets none.
    expect(await ims('run-reminders', '--today', TODAY)).toEqual([
      '0 invitations released, 1 reminder made, 0 school consent reminders made.',
    ]);
    expect(await ims('run-reminders', '--campaign', 'CLI-FLU', '--today', TODAY)).toEqual([
      '0 invitations released, 0 reminders made, 0 school consent reminders made.',
    ]);
    await expect(ims('run-reminders', '--today', '2026-02-30')).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

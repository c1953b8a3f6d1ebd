// `ims send` and `ims poll-statuses` through commander against a real database and the fake
// Notify on loopback, as the command line runs them (the schema owner, settings from IMS_SENDING_DIR).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendingSettingsInput } from '../../contract/sending';
import { SendingSettingsStore } from '../../sending';
import { todayInLondon } from '../../shared/calendar/england';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { startFakeNotify, type FakeNotify } from '../../../tests/support/fake-notify';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import type { CliContext } from '../context';
import { registerSendCommands } from './send';

const nhs = nhsSequence(999_650_000, 7);
const SMS_TEMPLATE = '33333333-3333-4333-8333-333333333333';

describe('ims send', () => {
  let db: TestDatabase;
  let fake: FakeNotify;
  let saved: string | undefined;

  async function ims(...args: string[]): Promise<string[]> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerSendCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out;
  }

  beforeAll(async () => {
    fake = await startFakeNotify({ templates: [SMS_TEMPLATE] });
    saved = process.env.IMS_SENDING_DIR;
    process.env.IMS_SENDING_DIR = mkdtempSync(join(tmpdir(), 'ims-send-cli-'));
    SendingSettingsStore.current().save(
      SendingSettingsInput.parse({
        provider: 'NOTIFY',
        notifyBaseUrl: fake.url,
        notifyApiKey: fake.apiKey,
        templates: [
          { templateName: 'flu-sms', purpose: 'INVITATION', channel: 'SMS', notifyTemplateId: SMS_TEMPLATE },
          { templateName: null, purpose: 'CHILD_OVERDUE', channel: 'SMS', notifyTemplateId: SMS_TEMPLATE },
        ],
      }),
    );
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    await db.query(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
       SELECT n, 'Given', 'Family', '1950-01-01', 'G82001', 'ME1 1AA' FROM unnest($1::text[]) AS n`,
      [[1, 2, 3].map(nhs)],
    );
    await db.query(
      `INSERT INTO ims.contact_details (person_id, mobile, preferred_channel) SELECT id, '07700900555', 'SMS' FROM ims.person`,
    );
    await db.query(`SELECT ims.cohort_facts_rebuild($1::date)`, [todayInLondon()]);
    await db.query(
      `SELECT api.campaign_save('CLI-SEND', 'Flu by command', 'FLU_2026_27', 'QKS', ARRAY['SMS'], 'NATIONAL', NULL, NULL, NULL)`,
    );
    await db.query(`SELECT api.campaign_set_templates('CLI-SEND', ARRAY['INVITATION'], ARRAY['SMS'], ARRAY['flu-sms'], ARRAY[1])`);
    await db.query(
      `SELECT api.invitation_batch_confirm(
         api.invitation_batch_draft('CLI-SEND', '{"format": 1, "name": "All", "referenceDate": "2026-08-31", "criteria": {"practice": ["G82001"]}}',
                                    gen_random_uuid()),
         'per-day', 100, '2020-01-01', 0, 'oldest', NULL)`,
    );
    // The wave's day has come: its invitation messages are made.
    await db.query(`SELECT api.campaign_release('CLI-SEND', $1::date)`, [todayInLondon()]);
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.IMS_SENDING_DIR;
    else process.env.IMS_SENDING_DIR = saved;
    await fake?.close();
    await db?.drop();
  });

  it('sends at most --limit, then the rest, never twice; polls the statuses', async () => {
    expect(await ims('send', '--campaign', 'CLI-SEND', '--limit', '2')).toEqual([expect.stringMatching(/^Done: 2 sent; /)]);
    expect(await ims('send', '--campaign', 'CLI-SEND')).toEqual([expect.stringMatching(/^Done: 1 sent; /)]);
    expect(await ims('send', '--campaign', 'CLI-SEND')).toEqual([expect.stringMatching(/^Done: 0 sent; /)]);
    expect(fake.notifications).toHaveLength(3);
    expect(new Set(fake.notifications.map((n) => n.reference)).size).toBe(3);
    await fake.deliverAll();
    expect(await ims('poll-statuses', '--campaign', 'CLI-SEND')).toEqual(['3 checked, 3 changed, 0 falling back to another channel.']);
    const r = await db.query(`SELECT count(*)::int AS n FROM ims.communication WHERE delivery_status = 'delivered'`);
    expect(r.rows[0]!.n).toBe(3);
  });

  it("sends the messages of no campaign with --child-health, a child's overdue text once", async () => {
    const child = await db.query<{ id: string }>(`SELECT min(id) AS id FROM ims.person`);
    await db.query(`SELECT api.child_action_record($1, NULL, NULL, 'SEND_MESSAGE', NULL, NULL, NULL)`, [child.rows[0]!.id]);
    const before = fake.notifications.length;
    expect(await ims('send', '--child-health')).toEqual([expect.stringMatching(/^Done: 1 sent; /)]);
    expect(await ims('send', '--child-health')).toEqual([expect.stringMatching(/^Done: 0 sent; /)]);
    expect(fake.notifications.slice(before).map((n) => [n.type, n.personalisation['first name']])).toEqual([['sms', 'Given']]);
    expect(await ims('poll-statuses', '--child-health')).toEqual(['1 checked, 0 changed, 0 falling back to another channel.']);
    await expect(ims('send')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(ims('send', '--campaign', 'CLI-SEND', '--child-health')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('shows and changes how the messages of no campaign name the child health service, refusing a bad link', async () => {
    expect(await ims('child-health-contact')).toEqual(['Child health service; consent link: none; phone: none']);
    expect(
      await ims('child-health-contact', '--name', 'Kent School Immunisations', '--consent-link', 'https://consent.example.nhs.uk'),
    ).toEqual(['Kent School Immunisations; consent link: https://consent.example.nhs.uk; phone: none']);
    await expect(ims('child-health-contact', '--consent-link', 'http://plain.example')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await ims('child-health-contact', '--consent-phone', '01622 000000')).toEqual([
      'Kent School Immunisations; consent link: https://consent.example.nhs.uk; phone: 01622 000000',
    ]);
  });

  it("exports a child's pending overdue text as Notify's bulk-send CSV once, with the school and service columns", async () => {
    const child = await db.query<{ id: string }>(`SELECT max(id) AS id FROM ims.person`);
    await db.query(`SELECT api.child_action_record($1, NULL, NULL, 'SEND_MESSAGE', NULL, NULL, NULL)`, [child.rows[0]!.id]);
    const [csv] = await ims('child-health-export', '--purpose', 'child_overdue', '--channel', 'sms');
    const lines = csv!.trim().split('\r\n');
    expect(lines[0]).toBe(
      'phone number,first name,last name,nhs number,campaign,how to book,reference,school,session date,school programme,consent link,consent phone,organisation',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^07700900555,Given,Family,/);
    expect((await ims('child-health-export', '--purpose', 'CHILD_OVERDUE', '--channel', 'SMS'))[0]!.trim().split('\r\n')).toHaveLength(1);
    await expect(ims('child-health-export', '--purpose', 'INVITATION', '--channel', 'SMS')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('refuses a bad campaign code and limit', async () => {
    await expect(ims('send', '--campaign', 'no')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(ims('send', '--campaign', 'CLI-SEND', '--limit', '0')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(ims('send', '--campaign', 'NOT-THERE')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

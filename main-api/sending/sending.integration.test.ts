// Sending as real login roles against a fake GOV.UK Notify on loopback (tests/support/fake-notify.ts)
// and an in-process SMTP server: references passed on, the rate limit kept, 429s and 500s retried,
// a refused or permanently failed message falling back to the next channel, a returned letter
// marking the address, no second send after a crash between sending and recording, and two
// senders at once sending each message once. Nothing leaves the machine.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import type { SendingSettingsInput } from '../contract/sending';
import { openDataSource } from '../platform/db/datasource';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { startFakeNotify, type FakeNotify } from '../../tests/support/fake-notify';
import { dropRoles, nhsSequence, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import type { MessageProvider } from './provider.port';
import { SendingRepository } from './sending.repository';
import { createSendingHandlers, providerFor, pollCampaign, sendCampaign, type SendingEnvironment } from './sending.service';
import { SendingSettingsStore, keyFileCipher } from './settings.store';

const nhs = nhsSequence(999_720_000, 7);
const PASSWORD = 'sending-test-password';
const TODAY = '2026-11-02';
const SMS_TEMPLATE = '11111111-1111-4111-8111-111111111111';
const EMAIL_TEMPLATE = '22222222-2222-4222-8222-222222222222';
const CALLBACK_TOKEN = 'callback-token-for-tests-0123456789';
const PDF = Buffer.from('%PDF-1.7\n% a letter\n%%EOF\n', 'latin1');

const FIXTURE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'), ('G82001', 'Alpha', 'GP', 'QKS');
INSERT INTO ims.gp_practice (code) VALUES ('G82001');
`;

interface Contact {
  mobile?: string | null;
  email?: string | null;
  address?: string | null;
}

describe('sending through Notify and SMTP', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let fake: FakeNotify;
  let receiver: CallbackReceiver;
  let owner: DataSource;
  let a: DataSource;
  let b: DataSource;
  let nurse: DataSource;
  let env: SendingEnvironment;
  let lettersDir: string;
  let n = 0;
  let campaignN = 0;
  const names = { a: uniqueName('t_send_a'), b: uniqueName('t_send_b'), nurse: uniqueName('t_send_nurse') };

  const settings = (extra: Partial<SendingSettingsInput> = {}): SendingSettingsInput => ({
    provider: 'NOTIFY',
    notifyBaseUrl: fake.url,
    notifyApiKey: fake.apiKey,
    templates: [
      { templateName: null, purpose: 'INVITATION', channel: 'SMS', notifyTemplateId: SMS_TEMPLATE },
      { templateName: null, purpose: 'INVITATION', channel: 'EMAIL', notifyTemplateId: EMAIL_TEMPLATE },
    ],
    postage: 'second',
    ratePerMinute: 3000,
    smtpHost: '',
    smtpPort: 587,
    smtpSecure: false,
    smtpUser: '',
    smtpFrom: '',
    callbackToken: CALLBACK_TOKEN,
    clearSecrets: false,
    ...extra,
  });

  /** A campaign by these channels with one pending invitation per person given, released by TODAY. */
  async function campaignWith(people: Contact[], channels = ['SMS', 'EMAIL', 'LETTER']): Promise<{ code: string; ids: number[] }> {
    const code = `SEND-${++campaignN}`;
    const c = await db.query<{ id: string }>(
      `INSERT INTO ims.campaign (code, name, programme_code, organisation_code, channels, booking_route)
       VALUES ($1, $2, 'FLU_2026_27', 'QKS', $3::text[], 'NATIONAL') RETURNING id`,
      [code, `Flu ${code}`, channels],
    );
    const campaignId = c.rows[0]!.id;
    await db.query(
      `INSERT INTO ims.campaign_template (campaign_id, purpose, channel, template_name, template_version)
       SELECT $1, 'INVITATION', ch, 'flu-invite-' || lower(ch), 1 FROM unnest(ARRAY['SMS', 'EMAIL', 'LETTER']) AS ch`,
      [campaignId],
    );
    const batch = await db.query<{ id: string }>(
      `INSERT INTO ims.invitation_batch (campaign_id, draft_key, definition) VALUES ($1, gen_random_uuid(), '{"name": "t"}') RETURNING id`,
      [campaignId],
    );
    const ids: number[] = [];
    for (const p of people) {
      const person = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
         VALUES ($1, 'Given', 'Family', '1950-01-01', 'G82001', 'ME1 1AA') RETURNING id`,
        [nhs(++n)],
      );
      const personId = person.rows[0]!.id;
      await db.query(`INSERT INTO ims.contact_details (person_id, mobile, email, address_line1) VALUES ($1, $2, $3, $4)`, [
        personId,
        p.mobile ?? null,
        p.email ?? null,
        p.address ?? null,
      ]);
      const channel = p.mobile ? 'SMS' : p.email ? 'EMAIL' : 'LETTER';
      const inv = await db.query<{ id: string }>(
        `INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
         VALUES ($1, $2, $3, 1, '2026-10-01', $4) RETURNING id`,
        [campaignId, personId, batch.rows[0]!.id, channel],
      );
      const m = await db.query<{ id: string }>(
        `INSERT INTO ims.communication (person_id, campaign_id, invitation_id, purpose, channel, template_name, template_version)
         VALUES ($1, $2, $3, 'INVITATION', $4, 'flu-invite-' || lower($4), 1) RETURNING id`,
        [personId, campaignId, inv.rows[0]!.id, channel],
      );
      ids.push(Number(m.rows[0]!.id));
    }
    return { code, ids };
  }

  const rows = async (code: string) =>
    (
      await db.query<{
        id: string;
        channel: string;
        status: string;
        delivery_status: string | null;
        provider_id: string | null;
        reference: string;
        fallback_of: string | null;
        failure_reason: string | null;
        person_id: string;
      }>(
        `SELECT m.id, m.channel, m.status, m.delivery_status, m.provider_id, m.reference::text, m.fallback_of, m.failure_reason, m.person_id
         FROM ims.communication m JOIN ims.campaign k ON k.id = m.campaign_id WHERE k.code = $1 ORDER BY m.id`,
        [code],
      )
    ).rows;

  const send = (ds: DataSource, code: string, e: SendingEnvironment = env, limit: number | null = null) =>
    sendCampaign(ds, { campaignCode: code, limit, today: TODAY }, e);

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(FIXTURE);
    owner = await openDataSource(db.url, 'IMS test owner');
    await addUser(db.url, { name: names.a, role: 'coordinator', orgs: ['QKS'], password: PASSWORD });
    await addUser(db.url, { name: names.b, role: 'coordinator', orgs: ['QKS'], password: PASSWORD });
    await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD });
    a = await connections.open({ name: names.a, password: PASSWORD });
    b = await connections.open({ name: names.b, password: PASSWORD });
    nurse = await connections.open({ name: names.nurse, password: PASSWORD });
    fake = await startFakeNotify({ templates: [SMS_TEMPLATE, EMAIL_TEMPLATE] });
    const dir = mkdtempSync(join(tmpdir(), 'ims-sending-'));
    lettersDir = join(dir, 'letters');
    mkdirSync(lettersDir);
    const store = new SendingSettingsStore(dir, keyFileCipher(join(dir, 'key', 'sending.key')));
    env = {
      settings: () => store,
      lettersDir: () => lettersDir,
      retry: { retries: 5, baseMs: 5, maxMs: 40, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: () => 0.5 },
    };
    store.save(settings());
    const repo = new SendingRepository(owner);
    receiver = await startCallbackReceiver({
      token: CALLBACK_TOKEN,
      record: (reference, id, status) => repo.delivery(reference, id, status, null),
    });
    fake.callback = { url: receiver.url, token: CALLBACK_TOKEN };
  });

  beforeEach(() => {
    fake.tooMany = 0;
    fake.serverErrors = 0;
    env.settings().save(settings());
  });

  afterAll(async () => {
    await receiver?.close();
    await fake?.close();
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('sends texts, emails and precompiled letters with the communication reference, and records Notify ids', async () => {
    const { code, ids } = await campaignWith([{ mobile: '07700900111' }, { email: 'someone@example.org' }, { address: '1 Road' }]);
    const before = await rows(code);
    writeFileSync(join(lettersDir, `${before[2]!.reference}.pdf`), PDF);
    const p = await send(a, code);
    expect(p).toMatchObject({ state: 'finished', claimed: 3, sent: 3, refused: 0, deferred: 0 });
    const after = await rows(code);
    for (const [i, r] of after.entries()) {
      expect(r.id).toBe(String(ids[i]));
      expect(r.status).toBe('SENT');
      const sent = fake.notifications.find((x) => x.id === r.provider_id)!;
      expect(sent.reference).toBe(r.reference);
    }
    const letter = fake.notifications.find((x) => x.reference === after[2]!.reference)!;
    expect(letter).toMatchObject({ type: 'letter', postage: 'second', pdfBytes: PDF.length });
    const text = fake.notifications.find((x) => x.reference === after[0]!.reference)!;
    expect(text).toMatchObject({ templateId: SMS_TEMPLATE, to: '07700900111' });
    expect(text.personalisation).toMatchObject({ campaign: `Flu ${code}`, reference: after[0]!.reference });
    // The claim read the contact details: audited against the sender.
    const viewed = await db.query(`SELECT 1 FROM audit.record_view WHERE actor = $1 AND purpose = 'Campaign message sent'`, [names.a]);
    expect(viewed.rowCount).toBe(3);
    // Running again sends nothing more.
    expect(await send(a, code)).toMatchObject({ claimed: 0, sent: 0 });
  });

  it('leaves a letter pending until its PDF exists, and sends it once it does', async () => {
    const { code } = await campaignWith([{ address: '2 Road' }]);
    expect(await send(a, code)).toMatchObject({ claimed: 1, sent: 0, deferred: 1 });
    const [r] = await rows(code);
    expect(r).toMatchObject({ status: 'PENDING', failure_reason: 'The letter has not been produced yet' });
    writeFileSync(join(lettersDir, `${r!.reference}.pdf`), PDF);
    await db.query(`UPDATE ims.communication SET claimed_until = NULL WHERE id = $1`, [r!.id]);
    expect(await send(a, code)).toMatchObject({ claimed: 1, sent: 1 });
  });

  it('keeps to the rate limit', async () => {
    env.settings().save(settings({ ratePerMinute: 600 }));
    const { code } = await campaignWith(Array.from({ length: 25 }, (_, i) => ({ mobile: `0770090${String(1000 + i).slice(-4)}` })));
    const first = fake.requests.length;
    const started = Date.now();
    expect(await send(a, code)).toMatchObject({ sent: 25 });
    // 10 a second with a bucket of 10 (a second's worth): the 15 after the first 10 take at least
    // 1.5 s, and no second holds more than the bucket and a second's refill.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const times = fake.requests.slice(first).map((r) => r.at);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(21);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 500).length).toBeLessThanOrEqual(16);
  });

  it('retries 429s and 500s with back-off and sends each message once', async () => {
    const { code } = await campaignWith(Array.from({ length: 6 }, (_, i) => ({ mobile: `0770090${2000 + i}` })));
    fake.tooMany = 3;
    fake.serverErrors = 2;
    const first = fake.requests.length;
    expect(await send(a, code)).toMatchObject({ sent: 6, deferred: 0 });
    const answered = fake.requests.slice(first).map((r) => r.status);
    expect(answered.filter((s) => s === 429)).toHaveLength(3);
    expect(answered.filter((s) => s === 500)).toHaveLength(2);
    for (const r of await rows(code)) expect(fake.sentTo(r.reference)).toBe(1);
  });

  it('does not send again when Notify took a message but its answer was lost', async () => {
    const { code } = await campaignWith([{ mobile: '07700903000' }]);
    const [r] = await rows(code);
    fake.loseAnswerFor.add(r!.reference);
    expect(await send(a, code)).toMatchObject({ sent: 1 });
    expect(fake.sentTo(r!.reference)).toBe(1);
    expect((await rows(code))[0]).toMatchObject({ status: 'SENT' });
  });

  it('leaves a message for later when Notify stays busy', async () => {
    const { code } = await campaignWith([{ mobile: '07700904000' }]);
    fake.tooMany = 100;
    const p = await send(a, code);
    expect(p).toMatchObject({ sent: 0, deferred: 1 });
    expect(p.message).toMatch(/429/);
    expect((await rows(code))[0]).toMatchObject({ status: 'PENDING' });
  });

  it('falls back to the next channel when Notify refuses a number, and when a text fails for good', async () => {
    const { code } = await campaignWith([
      { mobile: '0123', email: 'refused@example.org' },
      { mobile: '07700900002', email: 'perm@example.org', address: '3 Road' },
      { mobile: '07700900003', email: 'temp@example.org' },
    ]);
    const p = await send(a, code);
    expect(p).toMatchObject({ refused: 1, fallbacks: 1 });
    let all = await rows(code);
    // The refused text's email fallback went in the same run.
    expect(all.map((r) => [r.channel, r.status, r.fallback_of === null ? null : 'fallback'])).toEqual([
      ['SMS', 'FAILED', null],
      ['SMS', 'SENT', null],
      ['SMS', 'SENT', null],
      ['EMAIL', 'SENT', 'fallback'],
    ]);
    expect(all[0]!.failure_reason).toMatch(/Not a UK mobile number/);
    // Notify reports the outcomes by callback: a permanent failure falls back, a temporary one does not.
    await fake.deliverAll();
    all = await rows(code);
    expect(all.map((r) => [r.channel, r.status, r.delivery_status])).toEqual([
      ['SMS', 'FAILED', null],
      ['SMS', 'FAILED', 'permanent-failure'],
      ['SMS', 'FAILED', 'temporary-failure'],
      ['EMAIL', 'SENT', 'delivered'],
      ['EMAIL', 'PENDING', null],
    ]);
    expect(all[4]).toMatchObject({ fallback_of: all[1]!.id, person_id: all[1]!.person_id });
    // The same status again (Notify retries callbacks) changes nothing and makes no second fallback.
    await new SendingRepository(owner).delivery(all[1]!.reference, all[1]!.provider_id, 'permanent-failure', null);
    expect(await rows(code)).toHaveLength(5);
    expect(await send(a, code)).toMatchObject({ sent: 1 });
  });

  it('takes statuses from polling as well as callbacks', async () => {
    const { code } = await campaignWith([{ mobile: '07700905000' }, { mobile: '07700900002', email: 'poll@example.org' }]);
    await send(a, code);
    const saved = fake.callback;
    fake.callback = null;
    try {
      await fake.deliverAll();
      expect(await pollCampaign(a, code, env)).toMatchObject({ checked: 2, changed: 2, fallbacks: 1 });
      expect(await pollCampaign(a, code, env)).toMatchObject({ checked: 0 });
    } finally {
      fake.callback = saved;
    }
    expect((await rows(code)).map((r) => [r.channel, r.status, r.delivery_status])).toEqual([
      ['SMS', 'SENT', 'delivered'],
      ['SMS', 'FAILED', 'permanent-failure'],
      ['EMAIL', 'PENDING', null],
    ]);
  });

  it('marks the address unreliable when a letter comes back, and posts no letter to it again', async () => {
    const { code } = await campaignWith([{ address: '4 Road' }], ['LETTER']);
    const [r] = await rows(code);
    writeFileSync(join(lettersDir, `${r!.reference}.pdf`), PDF);
    await send(a, code);
    await fake.returnLetter(r!.reference);
    expect((await rows(code))[0]).toMatchObject({ status: 'RETURNED', delivery_status: 'returned-letter' });
    const d = await db.query(`SELECT address_unreliable_since FROM ims.contact_details WHERE person_id = $1`, [r!.person_id]);
    expect(d.rows[0]!.address_unreliable_since).not.toBeNull();
    // A later letter to the same address (a reminder, say) is not posted.
    const second = await db
      .query<{ id: string; reference: string }>(
        `INSERT INTO ims.communication (person_id, campaign_id, invitation_id, reminder_rule_id, purpose, channel)
       SELECT m.person_id, m.campaign_id, m.invitation_id, rr.id, 'REMINDER', 'LETTER' FROM ims.communication m,
       LATERAL (INSERT INTO ims.campaign_reminder_rule (campaign_id, days_after_invitation, channel) VALUES (m.campaign_id, 14, 'LETTER') RETURNING id) rr
       WHERE m.id = $1 RETURNING id, reference::text`,
        [r!.id],
      )
      .catch(async () => {
        const rule = await db.query<{ id: string }>(
          `INSERT INTO ims.campaign_reminder_rule (campaign_id, days_after_invitation, channel)
         SELECT campaign_id, 14, 'LETTER' FROM ims.communication WHERE id = $1 RETURNING id`,
          [r!.id],
        );
        return db.query<{ id: string; reference: string }>(
          `INSERT INTO ims.communication (person_id, campaign_id, invitation_id, reminder_rule_id, purpose, channel)
         SELECT person_id, campaign_id, invitation_id, $2, 'REMINDER', 'LETTER' FROM ims.communication WHERE id = $1
         RETURNING id, reference::text`,
          [r!.id, rule.rows[0]!.id],
        );
      });
    writeFileSync(join(lettersDir, `${second.rows[0]!.reference}.pdf`), PDF);
    expect(await send(a, code)).toMatchObject({ claimed: 0 });
    expect(fake.sentTo(second.rows[0]!.reference)).toBe(0);
    expect((await rows(code))[1]).toMatchObject({ status: 'FAILED', failure_reason: expect.stringMatching(/unreliable/) });
    // The record shows it.
    const record = await a.query(`SELECT api.person_campaign_record($1, 'Test') AS v`, [r!.person_id]);
    expect(record[0].v.addressUnreliableSince).not.toBeNull();
  });

  it('chooses no letter for an unreliable address when it makes new messages', async () => {
    const { code } = await campaignWith([{ address: '5 Road' }, { address: '6 Road', mobile: '07700900600' }]);
    const people = (await rows(code)).map((r) => r.person_id);
    await db.query(
      `UPDATE ims.contact_details SET address_unreliable_since = now(), preferred_channel = 'LETTER' WHERE person_id = ANY ($1::bigint[])`,
      [people],
    );
    // A missed appointment asks for a follow-up: by text for the one with a mobile, none for the other.
    for (const person of people) {
      await db.query(`SELECT api.booking_record($1, $2, NULL, '2026-10-20', 'DID_NOT_ATTEND', NULL)`, [code, person]);
    }
    const followUps = await db.query<{ person_id: string; channel: string }>(
      `SELECT person_id, channel FROM ims.communication WHERE purpose = 'DID_NOT_ATTEND' AND person_id = ANY ($1::bigint[])`,
      [people],
    );
    expect(followUps.rows).toEqual([{ person_id: people[1], channel: 'SMS' }]);
  });

  it('never sends twice after a crash between sending and recording', async () => {
    const { code } = await campaignWith([{ mobile: '07700906000' }, { mobile: '07700906001' }]);
    const real = providerFor(env.settings().load());
    let crashed = false;
    const crashing: MessageProvider = {
      ...real,
      async sendSms(m) {
        const sent = await real.sendSms(m);
        if (!crashed) {
          crashed = true;
          throw new Error('the process died here');
        }
        return sent;
      },
    };
    await expect(send(a, code, { ...env, provider: () => crashing })).rejects.toThrow('the process died here');
    const held = await rows(code);
    expect(held.every((r) => r.status === 'PENDING' || r.status === 'SENT')).toBe(true);
    // Nothing takes it while the dead sender's lease holds it.
    const stillHeld = await send(a, code);
    expect(stillHeld.alreadySent).toBe(0);
    // The lease runs out; the next run asks Notify by reference and records it without sending.
    await db.query(`UPDATE ims.communication SET claimed_until = now() - interval '1 second' WHERE claimed_until IS NOT NULL`);
    const p = await send(a, code);
    expect(p.alreadySent).toBe(1);
    for (const r of await rows(code)) {
      expect(r.status).toBe('SENT');
      expect(fake.sentTo(r.reference)).toBe(1);
    }
  });

  it('two senders at once send each message exactly once', async () => {
    const { code } = await campaignWith(Array.from({ length: 40 }, (_, i) => ({ mobile: `0770090${7000 + i}` })));
    const [one, two] = await Promise.all([
      sendCampaign(a, { campaignCode: code, limit: null, today: TODAY }, env),
      sendCampaign(b, { campaignCode: code, limit: null, today: TODAY }, env),
    ]);
    expect(one.sent + two.sent).toBe(40);
    for (const r of await rows(code)) {
      expect(r.status).toBe('SENT');
      expect(fake.sentTo(r.reference)).toBe(1);
    }
  });

  it('refuses callbacks without the token, and ignores references it does not know', async () => {
    const post = (token: string, body: unknown) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const body = { id: '3f0c3b1e-0000-4000-8000-000000000000', reference: '3f0c3b1e-0000-4000-8000-000000000001', status: 'delivered' };
    expect((await post('wrong-token-wrong-token', body)).status).toBe(401);
    expect((await post(CALLBACK_TOKEN, { ...body, status: 'lost' })).status).toBe(400);
    const unknown = await post(CALLBACK_TOKEN, body);
    expect([unknown.status, await unknown.text()]).toEqual([200, 'Unknown reference']);
  });

  it('lets only campaign runners send, and only administrators see the settings', async () => {
    const { code } = await campaignWith([{ mobile: '07700908000' }]);
    await expect(send(nurse, code)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await rows(code))[0]).toMatchObject({ status: 'PENDING' });
    const h = createSendingHandlers(
      a,
      () => TODAY,
      () => {},
      env,
    );
    await expect(h['sending.settings.get']({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('runs in the background with progress and cancel, through the channels', async () => {
    env.settings().save(settings({ ratePerMinute: 120 }));
    const { code } = await campaignWith(Array.from({ length: 12 }, (_, i) => ({ mobile: `0770090${8100 + i}` })));
    const h = createSendingHandlers(
      a,
      () => TODAY,
      () => {},
      env,
    );
    const started = await h['communications.send']({ campaignCode: code, limit: null });
    expect(started.state).toBe('running');
    await new Promise((r) => setTimeout(r, 300));
    await h['communications.send.cancel']({ runId: started.runId });
    let p = await h['communications.send.progress']({ runId: started.runId });
    for (let i = 0; i < 50 && p.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      p = await h['communications.send.progress']({ runId: started.runId });
    }
    expect(p.state).toBe('cancelled');
    expect(p.sent).toBeLessThan(12);
    const counts = await h['communications.counts']({ campaignCode: code });
    const pending = counts.filter((c) => c.status === 'PENDING').reduce((s, c) => s + c.count, 0);
    expect(pending).toBe(12 - p.sent);
    // Cancelled messages are free for the next run at once.
    env.settings().save(settings());
    expect(await send(a, code)).toMatchObject({ sent: 12 - p.sent });
  });

  it('sends email through an SMTP server for organisations without Notify, leaving texts for Notify', async () => {
    const received: { to: string; data: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, done) {
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), data: Buffer.concat(parts).toString('utf8') });
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      env.settings().save(settings({ provider: 'SMTP', smtpHost: '127.0.0.1', smtpPort: port, smtpFrom: 'immunisations@example.org' }));
      const { code } = await campaignWith([{ email: 'mail@example.org' }, { mobile: '07700909000' }]);
      const p = await send(a, code);
      expect(p).toMatchObject({ claimed: 1, sent: 1 });
      const all = await rows(code);
      expect(received).toHaveLength(1);
      expect(received[0]!.to).toBe('mail@example.org');
      expect(received[0]!.data.toLowerCase()).toContain(`x-ims-reference: ${all[0]!.reference}`);
      expect(all.map((r) => [r.channel, r.status])).toEqual([
        ['EMAIL', 'SENT'],
        ['SMS', 'PENDING'],
      ]);
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });
});

// The messages of no campaign, as real login roles: a school session's consent request, the
// daily run's consent reminder and a worklist's overdue-child message each reach the fake Notify
// (or the SMTP server, or a precompiled letter PDF made by letter production) exactly once, with
// the standing template in use and the school's details; two senders at once, a second run,
// a status poll with its fallback, and who may send them. The campaign sends are proved in
// sending.integration.test.ts against the same path.
import { existsSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { runReminders } from '../campaigns';
import { PreviewInput, TemplateSaveInput, type MessageTemplate } from '../contract/letters';
import type { SendingSettingsInput } from '../contract/sending';
import { startProduction } from '../letters';
import { createLetterHandlers } from '../letters/letters.service';
import { openDataSource } from '../platform/db/datasource';
import { addDays } from '../shared/calendar/dates';
import { parseTemplate, smsLength } from '../shared/messages/template-text';
import { todayInLondon } from '../shared/calendar/england';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { startFakeNotify, type FakeNotify } from '../../tests/support/fake-notify';
import { TWO_PRACTICES_SQL, call, dropRoles, nhsSequence, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { pollCampaign, sendCampaign, type SendingEnvironment } from './sending.service';
import { SendingRepository } from './sending.repository';
import { SendingSettingsStore, keyFileCipher } from './settings.store';

const nhs = nhsSequence(999_731_000, 13);
const PASSWORD = 'child-messages-test-password';
const today = todayInLondon();
const sessionDay = addDays(today, 3);
const T = {
  requestSms: '31111111-1111-4111-8111-111111111111',
  requestEmail: '32222222-2222-4222-8222-222222222222',
  reminderSms: '33333333-3333-4333-8333-333333333333',
  reminderEmail: '34444444-4444-4444-8444-444444444444',
  overdueEmail: '35555555-5555-4555-8555-555555555555',
};

const SETUP = `${TWO_PRACTICES_SQL}
  INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES ('E06000035', 'Medway', 'QKS', 'Y59');
  INSERT INTO ims.school (urn, name, phase, la_code) VALUES ('137001', 'Oakwood School', 'SECONDARY', 'E06000035');
  UPDATE ims.child_health_contact SET organisation_name = 'Kent School Immunisations',
    consent_link = 'https://consent.example.nhs.uk/oakwood', consent_phone = '01622 000000';`;

interface Child {
  school: boolean;
  mobile?: string;
  email?: string;
  address?: string;
}
const CHILDREN: Record<string, Child> = {
  ava: { school: true, mobile: '07700900111' },
  ben: { school: true, email: 'ben.parent@example.org' },
  cal: { school: true, address: '1 School Lane' },
  // Notify's simulated number that fails for good: the request falls back to email.
  eve: { school: true, mobile: '07700900002', email: 'eve.parent@example.org' },
  dan: { school: false, email: 'dan.parent@example.org' },
};

describe('child health and school messages sent', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let fake: FakeNotify;
  let owner: DataSource;
  let nurse: DataSource;
  let nurse2: DataSource;
  let away: DataSource;
  let coord: DataSource;
  let env: SendingEnvironment;
  let lettersDir: string;
  const ids: Record<string, number> = {};
  const names = {
    nurse: uniqueName('chm_nurse'),
    nurse2: uniqueName('chm_nurse2'),
    away: uniqueName('chm_away'),
    coord: uniqueName('chm_coord'),
  };

  const settings = (extra: Partial<SendingSettingsInput> = {}): SendingSettingsInput => ({
    provider: 'NOTIFY',
    notifyBaseUrl: fake.url,
    notifyApiKey: fake.apiKey,
    templates: [
      { templateName: null, purpose: 'CONSENT_REQUEST', channel: 'SMS', notifyTemplateId: T.requestSms },
      { templateName: null, purpose: 'CONSENT_REQUEST', channel: 'EMAIL', notifyTemplateId: T.requestEmail },
      { templateName: null, purpose: 'CONSENT_REMINDER', channel: 'SMS', notifyTemplateId: T.reminderSms },
      { templateName: null, purpose: 'CONSENT_REMINDER', channel: 'EMAIL', notifyTemplateId: T.reminderEmail },
      { templateName: null, purpose: 'CHILD_OVERDUE', channel: 'EMAIL', notifyTemplateId: T.overdueEmail },
    ],
    postage: 'second',
    ratePerMinute: 3000,
    smtpHost: '',
    smtpPort: 587,
    smtpSecure: false,
    smtpUser: '',
    smtpFrom: '',
    callbackToken: '',
    clearSecrets: false,
    ...extra,
  });

  const messages = async () =>
    (
      await db.query<{
        person: string;
        purpose: string;
        channel: string;
        status: string;
        template: string | null;
        reference: string;
        fallback: boolean;
      }>(
        `SELECT p.given_name AS person, m.purpose, m.channel, m.status, m.template_name || '@' || m.template_version AS template,
                m.reference::text AS reference, m.fallback_of IS NOT NULL AS fallback
         FROM ims.communication m JOIN ims.person p ON p.id = m.person_id WHERE m.campaign_id IS NULL ORDER BY m.id`,
      )
    ).rows;

  const send = (ds: DataSource) => sendCampaign(ds, { campaignCode: null, limit: null, today }, env);
  /** What the Child health > Messages screen shows: the messages of no campaign by channel and status. */
  const counts = async (ds: DataSource) =>
    Object.fromEntries((await new SendingRepository(ds).counts(null)).map((c) => [`${c.channel} ${c.status}`, c.count]));

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(SETUP);
    let n = 0;
    for (const [name, c] of Object.entries(CHILDREN)) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code, postcode, school_urn,
                                 year_group, registration_status)
         VALUES ($1, $2, 'Pupil', '2013-01-15', 'G82001', 'E06000035', 'ME1 1AA', $3, $4, 'REGISTERED') RETURNING id`,
        [nhs(n++), name, c.school ? '137001' : null, c.school ? 8 : null],
      );
      ids[name] = Number(r.rows[0]!.id);
      await db.query(`INSERT INTO ims.contact_details (person_id, mobile, email, address_line1, town) VALUES ($1, $2, $3, $4, 'Chatham')`, [
        ids[name],
        c.mobile ?? null,
        c.email ?? null,
        c.address ?? null,
      ]);
    }
    connections = userConnections(db);
    owner = await openDataSource(db.url, 'IMS test owner');
    nurse = await connections.open(
      await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD }),
    );
    nurse2 = await connections.open(
      await addUser(db.url, { name: names.nurse2, role: 'child-health', orgs: ['G82001'], password: PASSWORD }),
    );
    away = await connections.open(await addUser(db.url, { name: names.away, role: 'child-health', orgs: ['G82002'], password: PASSWORD }));
    coord = await connections.open(await addUser(db.url, { name: names.coord, role: 'coordinator', orgs: ['QKS'], password: PASSWORD }));
    fake = await startFakeNotify({ templates: Object.values(T) });
    const dir = mkdtempSync(join(tmpdir(), 'ims-child-messages-'));
    lettersDir = join(dir, 'letters');
    mkdirSync(lettersDir);
    const store = new SendingSettingsStore(dir, keyFileCipher(join(dir, 'key', 'sending.key')));
    env = {
      settings: () => store,
      lettersDir: () => lettersDir,
      retry: { retries: 3, baseMs: 5, maxMs: 40, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: () => 0.5 },
    };
    store.save(settings());
  });

  afterAll(async () => {
    await fake?.close();
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('makes consent requests, the daily run consent reminders (once) and an overdue message, each with its standing template', async () => {
    await nurse.query(`SELECT api.school_session_plan('137001', 'HPV', $1::date)`, [sessionDay]);
    // A coordinator's daily run makes no consent reminders; the command line's (the owner) and a
    // child health user's school reminders do, once.
    expect(await runReminders(coord, null, today)).toEqual({ released: 0, reminders: 0, consentReminders: null });
    expect((await runReminders(owner, null, today)).consentReminders).toBe(4);
    expect((await runReminders(owner, null, today)).consentReminders).toBe(0);
    const action = await nurse.query<{ v: { channel: string } }[]>(
      `SELECT api.child_action_record($1, NULL, NULL, 'SEND_MESSAGE', NULL, NULL, NULL) AS v`,
      [ids.dan],
    );
    expect(action[0]!.v.channel).toBe('EMAIL');
    const made = (await messages()).map((m) => [m.person, m.purpose, m.channel, m.template]);
    expect(made.sort((a, b) => `${a[1]}${a[0]}`.localeCompare(`${b[1]}${b[0]}`))).toEqual([
      ['dan', 'CHILD_OVERDUE', 'EMAIL', 'child-overdue-email@1'],
      ['ava', 'CONSENT_REMINDER', 'SMS', 'consent-reminder-text@1'],
      ['ben', 'CONSENT_REMINDER', 'EMAIL', 'consent-reminder-email@1'],
      ['cal', 'CONSENT_REMINDER', 'LETTER', 'consent-reminder-letter@1'],
      ['eve', 'CONSENT_REMINDER', 'SMS', 'consent-reminder-text@1'],
      ['ava', 'CONSENT_REQUEST', 'SMS', 'consent-request-text@1'],
      ['ben', 'CONSENT_REQUEST', 'EMAIL', 'consent-request-email@1'],
      ['cal', 'CONSENT_REQUEST', 'LETTER', 'consent-request-letter@1'],
      ['eve', 'CONSENT_REQUEST', 'SMS', 'consent-request-text@1'],
    ]);
  });

  it('ships standing templates that parse, and saves a new version for child health staff only', async () => {
    const listed = await nurse.query<{ v: MessageTemplate[] }[]>(`SELECT api.standing_templates() AS v`);
    const shipped = listed[0]!.v;
    expect(shipped).toHaveLength(9);
    for (const t of shipped) {
      expect(t).toMatchObject({ version: 1, inUse: true });
      expect([...parseTemplate(t.subject ?? '').problems, ...parseTemplate(t.body).problems]).toEqual([]);
      if (t.channel === 'SMS') expect(smsLength(t.body).tooLong).toBe(false);
    }
    const saved = await nurse.query<{ v: MessageTemplate }[]>(
      `SELECT api.standing_template_save('child-overdue-letter', 'CHILD_OVERDUE', 'LETTER', 'About ((first name))', 'Please call ((consent phone)).',
                                         '{}', 1, false) AS v`,
    );
    expect(saved[0]!.v).toMatchObject({ version: 2, inUse: false });
    await expect(
      nurse.query(`SELECT api.standing_template_save('x', 'CONSENT_REQUEST', 'SMS', NULL, 'Hello ((shoe size))', '{}', NULL, false)`),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      coord.query(`SELECT api.standing_template_save('y', 'CONSENT_REQUEST', 'SMS', NULL, 'Hello', '{}', NULL, true)`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(coord.query(`SELECT api.standing_templates()`)).rejects.toMatchObject({ code: '42501' });
    const inUse = await db.query(
      `SELECT template_version FROM ims.standing_template WHERE purpose = 'CHILD_OVERDUE' AND channel = 'LETTER'`,
    );
    expect(inUse.rows).toEqual([{ template_version: 1 }]);
  });

  it('are listed, saved and previewed through the app’s channels (Child health > Messages), by child health staff in scope', async () => {
    const letters = (ds: DataSource) =>
      createLetterHandlers(
        ds,
        () => today,
        () => lettersDir,
      );
    const listed = await letters(nurse)['letters.templates']({ campaignCode: null });
    expect(listed.filter((t) => t.inUse).map((t) => t.name)).toEqual(
      expect.arrayContaining(['child-overdue-text', 'consent-request-letter']),
    );
    const saved = await letters(nurse)['letters.template.save'](
      TemplateSaveInput.parse({
        campaignCode: null,
        name: 'consent-request-text-short',
        purpose: 'CONSENT_REQUEST',
        channel: 'SMS',
        body: 'Consent for ((first name)) at ((school)): ((consent link))',
      }),
    );
    expect(saved).toMatchObject({ name: 'consent-request-text-short', version: 1, inUse: false });
    const asked = PreviewInput.parse({
      campaignCode: null,
      personId: ids.ava,
      channel: 'SMS',
      body: 'Call ((consent phone)) about ((first name))',
    });
    expect(await letters(nurse)['letters.preview'](asked)).toMatchObject({ text: 'Call 01622 000000 about ava' });
    // Through the host's boundary, as the screen calls them.
    expect(await call(letters(coord), 'letters.templates', { campaignCode: null })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await call(letters(coord), 'letters.preview', asked)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Another practice's nurse learns nothing of the child.
    expect(await call(letters(away), 'letters.preview', asked)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('lets only child health staff in scope send them, or count them', async () => {
    await expect(send(coord)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(new SendingRepository(coord).counts(null)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Outside the nurse's practice: nothing to claim, nothing sent, nothing counted.
    expect(await send(away)).toMatchObject({ state: 'finished', claimed: 0 });
    expect(fake.notifications).toHaveLength(0);
    expect(await counts(away)).toEqual({});
    const waiting = await counts(nurse);
    expect(Object.keys(waiting).every((k) => k.endsWith(' PENDING'))).toBe(true);
    expect(Object.values(waiting).reduce((a, b) => a + b, 0)).toBe((await messages()).length);
  });

  it('produces the letters as precompiled PDFs, then two senders at once send every message exactly once', async () => {
    const run = await startProduction(
      nurse,
      { campaignCode: null, layout: 'PER_LETTER', perFile: 50, purpose: null, dueBy: today, largePrint: false },
      { outDir: lettersDir, today, workers: 0 },
    );
    const done = await run.done;
    expect(done).toMatchObject({ state: 'done', produced: 2, failed: 0 });
    const letters = (await messages()).filter((m) => m.channel === 'LETTER');
    for (const l of letters) {
      const pdf = join(run.folder, `${l.reference}.pdf`);
      expect(existsSync(pdf)).toBe(true);
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    expect(run.folder).toMatch(/child-health-run\d+$/);

    const [p1, p2] = await Promise.all([send(nurse), send(nurse2)]);
    expect(p1.sent + p2.sent).toBe(9);
    expect(p1.refused + p2.refused + p1.deferred + p2.deferred).toBe(0);
    const all = await messages();
    expect(all.every((m) => m.status === 'SENT')).toBe(true);
    for (const m of all) expect(fake.sentTo(m.reference)).toBe(1);
    expect(fake.notifications.filter((x) => x.type === 'letter')).toHaveLength(2);

    const avaRequest = all.find((m) => m.person === 'ava' && m.purpose === 'CONSENT_REQUEST')!;
    const sms = fake.notifications.find((x) => x.reference === avaRequest.reference)!;
    expect(sms.templateId).toBe(T.requestSms);
    expect(sms.personalisation).toMatchObject({
      'first name': 'ava',
      school: 'Oakwood School',
      'school programme': 'HPV',
      'consent link': 'https://consent.example.nhs.uk/oakwood',
      'consent phone': '01622 000000',
      organisation: 'Kent School Immunisations',
    });
    expect(sms.personalisation['session date']).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
    const overdue = fake.notifications.find((x) => x.templateId === T.overdueEmail)!;
    expect(overdue.to).toBe('dan.parent@example.org');

    expect(await counts(nurse)).toEqual({ 'LETTER SENT': 2, 'SMS SENT': 4, 'EMAIL SENT': 3 });
    // Run again: nothing more goes out.
    expect(await send(nurse)).toMatchObject({ claimed: 0, sent: 0 });
    expect(fake.notifications).toHaveLength(9);
  });

  it('records delivery from a status poll, and falls back from a permanent failure to the next channel once', async () => {
    await fake.deliverAll();
    const polled = await pollCampaign(nurse, null, env);
    expect(polled).toMatchObject({ checked: 9, fallbacks: 2 });
    const fallbacks = (await messages()).filter((m) => m.fallback);
    expect(fallbacks.map((m) => [m.person, m.purpose, m.channel, m.status, m.template])).toEqual([
      ['eve', 'CONSENT_REQUEST', 'EMAIL', 'PENDING', 'consent-request-email@1'],
      ['eve', 'CONSENT_REMINDER', 'EMAIL', 'PENDING', 'consent-reminder-email@1'],
    ]);
    expect(await pollCampaign(nurse, null, env)).toMatchObject({ changed: 0, fallbacks: 0 });
    expect(await send(nurse)).toMatchObject({ sent: 2 });
    for (const m of fallbacks) expect(fake.sentTo(m.reference)).toBe(1);
  });

  it('sends an overdue email through the mail server once', async () => {
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, done) {
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(parts).toString('utf8'));
          done();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      env.settings().save(settings({ provider: 'SMTP', smtpHost: '127.0.0.1', smtpPort: port, smtpFrom: 'immunisations@example.org' }));
      await nurse.query(`SELECT api.child_action_record($1, NULL, NULL, 'SEND_MESSAGE', NULL, NULL, NULL)`, [ids.ben]);
      expect(await send(nurse)).toMatchObject({ claimed: 1, sent: 1 });
      expect(await send(nurse)).toMatchObject({ claimed: 0, sent: 0 });
      const sent = (await messages()).filter((m) => m.person === 'ben' && m.purpose === 'CHILD_OVERDUE');
      expect(sent.map((m) => m.status)).toEqual(['SENT']);
      expect(received).toHaveLength(1);
      expect(received[0]!.toLowerCase()).toContain(`x-ims-reference: ${sent[0]!.reference}`);
      expect(received[0]).toContain('ben is due vaccinations');
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
      env.settings().save(settings());
    }
  });

  it('exports the messages of no campaign for a Notify bulk send, once', async () => {
    await nurse.query(`SELECT api.child_action_record($1, NULL, NULL, 'SEND_MESSAGE', NULL, NULL, NULL)`, [ids.dan]);
    const exported = (sql: string) => nurse.query<{ reference: string }[]>(sql, [today]);
    const sql = `SELECT reference::text FROM api.communication_export(NULL, NULL, 'CHILD_OVERDUE', 'EMAIL', $1::date, true)`;
    const first = await exported(sql);
    expect(first).toHaveLength(1);
    expect(await exported(sql)).toHaveLength(0);
    await expect(
      coord.query(`SELECT * FROM api.communication_export(NULL, NULL, 'CHILD_OVERDUE', 'EMAIL', $1::date, false)`, [today]),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('names the communication key once: widened, every insert of communications keeps working and adds nothing twice', async () => {
    const named = await db.query(
      `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname IN ('api', 'ims') AND p.prosrc ~ 'ON CONFLICT \\(purpose, invitation_id'`,
    );
    expect(named.rows).toEqual([]);
    // A later migration changes the key's columns; no function is redefined.
    await db.query(`ALTER TABLE ims.communication DROP CONSTRAINT communication_once,
      ADD CONSTRAINT communication_once UNIQUE NULLS NOT DISTINCT
        (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of, child_action_id, school_child_id, campaign_id)`);
    const session = await db.query<{ id: string }>(`SELECT id FROM ims.school_session`);
    const refreshed = await nurse.query<{ v: { requested: number } }[]>(`SELECT api.school_session_refresh($1) AS v`, [
      session.rows[0]!.id,
    ]);
    expect(refreshed[0]!.v.requested).toBe(0);
    expect((await runReminders(owner, null, today)).consentReminders).toBe(0);
  });
});

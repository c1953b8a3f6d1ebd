// Campaigns as real login roles: coordinators of one ICB run a campaign, a coordinator elsewhere
// sees none of it, child health reads a person's campaign record, an analyst is refused by the
// database. Crafted people prove the channel choice, the one-invitation-per-person guarantee
// under two concurrent confirmations, repeat confirmations, waves sized to clinics, reminder
// timing, recall timing, bookings and the Notify export.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { addUser } from '../administration/users.service';
import type { BatchConfirmResult, BatchPreview, CampaignDetail, PersonCampaignRecord, WavePlan } from '../contract/campaigns';
import type { Result } from '../contract/result';
import { openDataSource } from '../platform/db/datasource';
import { scheduleRules } from '../schedule';
import { drainStatusQueue, inTransaction } from '../schedule-status/status-queue.service';
import { todayInLondon } from '../shared/calendar/england';
import { PRODUCT } from '../shared/vocabulary/products';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { call, connectAs, dropRoles, nhsSequence, userConnections, value, type UserConnections } from '../../tests/support/fixtures';
import { createCampaignHandlers } from './campaigns.service';

const nhs = nhsSequence(999_610_000, 3);
const PASSWORD = 'campaigns-test-password';
const TODAY = '2026-11-02';

// Region Y59 > ICB QKS > practices G82001 to G82006; practice G99001 in another region.
const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha', 'GP', 'QKS'), ('G82002', 'Beta', 'GP', 'QKS'), ('G82003', 'Gamma', 'GP', 'QKS'),
  ('G82004', 'Delta', 'GP', 'QKS'), ('G82005', 'Epsilon', 'GP', 'QKS'), ('G82006', 'Zeta', 'GP', 'QKS'), ('G82007', 'Eta', 'GP', 'QKS'),
  ('Y60', 'Elsewhere', 'REGION', NULL), ('G99001', 'Far Surgery', 'GP', 'Y60');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G82003'), ('G82004'), ('G82005'), ('G82006'), ('G82007'), ('G99001');
`;

type Handlers = ReturnType<typeof createCampaignHandlers>;

const cohort = (practices: string[], exclusions: Record<string, unknown> = {}) => ({
  format: 1,
  name: 'Cohort',
  campaign: 'FLU_2026_27',
  referenceDate: '2026-08-31',
  criteria: { practice: practices },
  exclusions,
});

describe('campaigns', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const names = {
    a: uniqueName('t_camp_a'),
    b: uniqueName('t_camp_b'),
    far: uniqueName('t_camp_far'),
    nurse: uniqueName('t_camp_nurse'),
    analyst: uniqueName('t_camp_analyst'),
  };
  const clients: pg.Client[] = [];
  let a: Handlers;
  let far: Handlers;
  let nurse: Handlers;
  let owner: DataSource;
  let n = 0;

  /** Cohorts read facts the status queue keeps: the people just added are counted once it is drained. */
  const drain = () => drainStatusQueue(inTransaction(owner), { asOf: todayInLondon(), rules: scheduleRules() });

  /** People registered at a practice, oldest first (born a day apart from 1940). */
  async function addPeople(count: number, practice: string): Promise<number[]> {
    const r = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
       SELECT nhs, 'Given', 'Family' || i, date '1940-01-01' + i::integer, $2, 'ME1 1AA'
       FROM unnest($1::text[]) WITH ORDINALITY AS x (nhs, i) ORDER BY i RETURNING id`,
      [Array.from({ length: count }, () => nhs(++n)), practice],
    );
    const ids = r.rows.map((row) => Number(row.id));
    await db.query(
      `INSERT INTO ims.contact_details (person_id, address_line1, mobile, preferred_channel) SELECT id, '1 Road', '07700900123', 'SMS'
       FROM unnest($1::bigint[]) AS id`,
      [ids],
    );
    await drain();
    return ids;
  }

  async function saveCampaign(h: Handlers, code: string, extra: Record<string, unknown> = {}): Promise<CampaignDetail> {
    return value<CampaignDetail>(
      call(h, 'campaign.save', {
        code,
        name: `Flu ${code}`,
        programmeCode: 'FLU_2026_27',
        organisationCode: 'QKS',
        channels: ['LETTER', 'EMAIL', 'SMS'],
        bookingRoute: 'NATIONAL',
        templates: [
          { purpose: 'INVITATION', channel: 'SMS', templateName: 'flu-invite-sms', templateVersion: 3 },
          { purpose: 'REMINDER', channel: 'LETTER', templateName: 'flu-reminder-letter', templateVersion: 1 },
        ],
        ...extra,
      }),
    );
  }

  async function draft(
    h: Handlers,
    code: string,
    practices: string[],
    draftKey = randomUUID(),
    exclusions: Record<string, unknown> = {},
  ): Promise<BatchPreview> {
    return value<BatchPreview>(
      call(h, 'campaign.batch.draft', { campaignCode: code, definition: cohort(practices, exclusions), draftKey }),
    );
  }

  const confirm = (h: Handlers, batchId: number, plan: Record<string, unknown> = { mode: 'per-day', cap: 100000 }) =>
    value<BatchConfirmResult>(call(h, 'campaign.batch.confirm', { batchId, plan: { startOn: '2026-10-01', ...plan } }));
  /** The daily run: releases the waves due by TODAY (their invitation messages), then the reminders. */
  const dailyRun = (h: Handlers, campaignCode: string) =>
    value<{ released: number; reminders: number; consentReminders: number | null }>(call(h, 'campaign.reminders.run', { campaignCode }));

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    owner = await openDataSource(db.url, 'IMS test owner');
    await addUser(db.url, { name: names.a, role: 'coordinator', orgs: ['QKS'], password: PASSWORD });
    await addUser(db.url, { name: names.b, role: 'coordinator', orgs: ['QKS'], password: PASSWORD });
    await addUser(db.url, { name: names.far, role: 'coordinator', orgs: ['G99001'], password: PASSWORD });
    await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['QKS'], password: PASSWORD });
    const open = (user: string): Promise<DataSource> => connections.open({ name: user, password: PASSWORD });
    a = createCampaignHandlers(await open(names.a), () => TODAY);
    far = createCampaignHandlers(await open(names.far), () => TODAY);
    nurse = createCampaignHandlers(await open(names.nurse), () => TODAY);
  });

  afterAll(async () => {
    for (const c of clients) await c.end();
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  const client = async (user: string): Promise<pg.Client> => {
    const c = await connectAs(db.urlAs(user, PASSWORD));
    clients.push(c);
    return c;
  };

  it('chooses each person their preferred usable channel, else text, else email, else letter', async () => {
    await saveCampaign(a, 'FLU-CHANNELS');
    const crafted: [string, Record<string, unknown> | null, string | null][] = [
      ['prefers a text, has a mobile', { preferred_channel: 'SMS', mobile: '07700900001' }, 'SMS'],
      [
        'prefers a text, opted out of texts',
        { preferred_channel: 'SMS', mobile: '07700900002', opt_out_sms: true, email: 'a@example.org' },
        'EMAIL',
      ],
      ['prefers email, has none', { preferred_channel: 'EMAIL', mobile: '07700900003', address_line1: '3 Road' }, 'SMS'],
      ['prefers a letter, has an address', { preferred_channel: 'LETTER', address_line1: '4 Road', mobile: '07700900004' }, 'LETTER'],
      [
        'prefers email, opted out of it',
        { preferred_channel: 'EMAIL', email: 'e@example.org', opt_out_email: true, address_line1: '5 Road' },
        'LETTER',
      ],
      ['a blank mobile is no mobile', { preferred_channel: 'SMS', mobile: '  ', email: 'f@example.org' }, 'EMAIL'],
      ['opted out of letters, nothing else', { preferred_channel: 'LETTER', address_line1: '7 Road', opt_out_letter: true }, null],
      ['no contact details at all', null, null],
    ];
    const ids: number[] = [];
    for (const [, contact] of crafted) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode)
         VALUES ($1, 'Chan', 'Nel', '1950-01-01', 'G82003', 'ME2 2BB') RETURNING id`,
        [nhs(++n)],
      );
      const id = Number(r.rows[0]!.id);
      ids.push(id);
      if (contact) {
        const cols = Object.keys(contact);
        await db.query(
          `INSERT INTO ims.contact_details (person_id, ${cols.join(', ')}) VALUES ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})`,
          [id, ...Object.values(contact)],
        );
      }
    }
    // A letter needs a postcode as well as an address line.
    const noPostcode = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
       VALUES ($1, 'No', 'Postcode', '1950-01-01', 'G82003') RETURNING id`,
      [nhs(++n)],
    );
    await db.query(`INSERT INTO ims.contact_details (person_id, address_line1, preferred_channel) VALUES ($1, '9 Road', 'LETTER')`, [
      noPostcode.rows[0]!.id,
    ]);

    await drain();
    // Those the cohort would leave out as uncontactable are kept in, to see the channel choice refuse them too.
    const preview = await draft(a, 'FLU-CHANNELS', ['G82003'], randomUUID(), { noUsableContact: false, optedOutOfEveryChannel: false });
    expect(preview).toMatchObject({ members: 9, toInvite: 6, noUsableChannel: 3, byChannel: { SMS: 2, EMAIL: 2, LETTER: 2 } });
    const result = await confirm(a, preview.batchId);
    expect(result).toMatchObject({ invited: 6, noUsableChannel: 3, repeated: false });
    expect(await dailyRun(a, 'FLU-CHANNELS')).toEqual({ released: 6, reminders: 0, consentReminders: null });
    const got = await db.query<{ person_id: string; channel: string; template_name: string | null; template_version: number | null }>(
      `SELECT i.person_id, i.channel, m.template_name, m.template_version FROM ims.invitation i
       JOIN ims.communication m ON m.invitation_id = i.id AND m.purpose = 'INVITATION' AND m.status = 'PENDING'
       JOIN ims.campaign k ON k.id = i.campaign_id WHERE k.code = 'FLU-CHANNELS'`,
    );
    const byPerson = new Map(got.rows.map((r) => [Number(r.person_id), r.channel]));
    expect(crafted.map(([label], i) => [label, byPerson.get(ids[i]!) ?? null])).toEqual(crafted.map(([label, , want]) => [label, want]));
    expect(byPerson.has(Number(noPostcode.rows[0]!.id))).toBe(false);
    // The template recorded is the campaign's for the purpose and channel (none set for the others).
    expect(got.rows.filter((r) => r.channel === 'SMS').every((r) => r.template_name === 'flu-invite-sms' && r.template_version === 3)).toBe(
      true,
    );
    expect(got.rows.filter((r) => r.channel !== 'SMS').every((r) => r.template_name === null)).toBe(true);
  });

  it('a campaign made new from the form does not replace one with its code; changing it does', async () => {
    await saveCampaign(a, 'FLU-CREATE');
    const again = await call(a, 'campaign.save', {
      code: 'FLU-CREATE',
      name: 'Another flu campaign',
      programmeCode: 'FLU_2026_27',
      organisationCode: 'QKS',
      channels: ['SMS'],
      bookingRoute: 'NATIONAL',
      create: true,
    });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringContaining('FLU-CREATE') } });
    const kept = await value<CampaignDetail>(call(a, 'campaign.get', { code: 'FLU-CREATE' }));
    expect(kept.name).toBe('Flu FLU-CREATE');
    expect(kept.templates).toHaveLength(2);
    // Codes are unique across the database: a coordinator elsewhere, who cannot see the
    // campaign, is told only that the code is taken.
    expect(
      await call(far, 'campaign.save', {
        code: 'FLU-CREATE',
        name: 'Far',
        programmeCode: 'FLU_2026_27',
        organisationCode: 'G99001',
        channels: ['SMS'],
        bookingRoute: 'NATIONAL',
        create: true,
      }),
    ).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.not.stringContaining('Flu FLU-CREATE') } });
    expect((await value<CampaignDetail>(call(a, 'campaign.get', { code: 'FLU-CREATE' }))).organisationCode).toBe('QKS');
    const changed = await saveCampaign(a, 'FLU-CREATE', { name: 'Flu, renamed', templates: [] });
    expect(changed).toMatchObject({ name: 'Flu, renamed', templates: [] });
  });

  it('two made new with one code at the same instant: one is made, the other is refused', async () => {
    const make = (name: string) =>
      call(a, 'campaign.save', {
        code: 'FLU-SAME-INSTANT',
        name,
        programmeCode: 'FLU_2026_27',
        organisationCode: 'QKS',
        channels: ['SMS'],
        bookingRoute: 'NATIONAL',
        create: true,
      });
    const results = await Promise.all([make('First'), make('Second')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toMatchObject([{ error: { code: 'CONFLICT' } }]);
    const made = await value<CampaignDetail>(call(a, 'campaign.get', { code: 'FLU-SAME-INSTANT' }));
    expect(made.name).toBe(results[0]!.ok ? 'First' : 'Second');
  });

  it('confirming the same draft twice, or drafting it again, creates nothing new', async () => {
    await saveCampaign(a, 'FLU-TWICE');
    await addPeople(30, 'G82006');
    const key = randomUUID();
    const first = await draft(a, 'FLU-TWICE', ['G82006'], key);
    const again = await draft(a, 'FLU-TWICE', ['G82006'], key);
    expect(again.batchId).toBe(first.batchId);
    const one = await confirm(a, first.batchId);
    const two = await confirm(a, first.batchId, { mode: 'per-week', cap: 5 });
    expect(one).toMatchObject({ invited: 30, repeated: false });
    expect(two).toEqual({ ...one, repeated: true });
    const counts = await db.query<{ invitations: number; communications: number; batches: number }>(
      `SELECT (SELECT count(*)::int FROM ims.invitation i WHERE i.campaign_id = k.id) AS invitations,
              (SELECT count(*)::int FROM ims.communication m WHERE m.campaign_id = k.id) AS communications,
              (SELECT count(*)::int FROM ims.invitation_batch b WHERE b.campaign_id = k.id) AS batches
       FROM ims.campaign k WHERE k.code = 'FLU-TWICE'`,
    );
    // Messages are made when the wave is released (by the daily run), once however often it runs.
    expect(counts.rows[0]).toEqual({ invitations: 30, communications: 0, batches: 1 });
    expect(await dailyRun(a, 'FLU-TWICE')).toEqual({ released: 30, reminders: 0, consentReminders: null });
    expect(await dailyRun(a, 'FLU-TWICE')).toEqual({ released: 0, reminders: 0, consentReminders: null });
    // The same key for another cohort is refused, not answered with the first draft.
    const other = await call(a, 'campaign.batch.draft', { campaignCode: 'FLU-TWICE', definition: cohort(['G82005']), draftKey: key });
    expect(other).toMatchObject({ ok: false });
    expect(other).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // A new draft of the same cohort leaves out everyone invited in the last 28 days (the
    // cohorts' exclusion, answered from the invitations); with the exclusion off, the
    // confirmation skips them as invited already.
    const later = await draft(a, 'FLU-TWICE', ['G82006']);
    expect(later).toMatchObject({ members: 0, toInvite: 0 });
    const anyway = await draft(a, 'FLU-TWICE', ['G82006'], randomUUID(), { invitedWithinDays: 0 });
    expect(anyway).toMatchObject({ members: 30, alreadyInvited: 30, toInvite: 0 });
    expect(await confirm(a, anyway.batchId)).toMatchObject({ invited: 0, alreadyInvited: 30 });
  });

  describe('two coordinators confirming overlapping cohorts at the same moment', () => {
    let alpha: number[];
    let beta: number[];

    beforeAll(async () => {
      await saveCampaign(a, 'FLU-RACE');
      await saveCampaign(a, 'FLU-RACE2');
      alpha = await addPeople(3000, 'G82001');
      beta = await addPeople(2000, 'G82002');
    });

    const invitedTwice = async (code: string) =>
      (
        await db.query<{ people: number; invitations: number; communications: number }>(
          `SELECT count(DISTINCT i.person_id)::int AS people, count(*)::int AS invitations,
                  (SELECT count(*)::int FROM ims.communication m WHERE m.campaign_id = k.id AND m.purpose = 'INVITATION') AS communications
           FROM ims.campaign k JOIN ims.invitation i ON i.campaign_id = k.id WHERE k.code = $1 GROUP BY k.id`,
          [code],
        )
      ).rows[0];

    const draftOn = async (c: pg.Client, code: string, practices: string[]) =>
      Number(
        (
          await c.query<{ id: string }>('SELECT api.invitation_batch_draft($1, $2::jsonb, $3::uuid) AS id', [
            code,
            // Both campaigns are for the same programme: the second invites the same people again.
            cohort(practices, { invitedWithinDays: 0 }),
            randomUUID(),
          ])
        ).rows[0]!.id,
      );
    /** Both coordinators release the waves at the same moment: each message is made once. */
    const releaseTogether = async (ca: pg.Client, cb: pg.Client, code: string) => {
      const [ra, rb] = await Promise.all(
        [ca, cb].map(async (c) =>
          Number((await c.query<{ n: number }>('SELECT api.campaign_release($1, $2::date) AS n', [code, TODAY])).rows[0]!.n),
        ),
      );
      return ra! + rb!;
    };
    const confirmOn = async (c: pg.Client, batchId: number) =>
      (
        await c.query<{ r: BatchConfirmResult }>(
          `SELECT api.invitation_batch_confirm($1, 'per-day', 1000, '2026-10-01', 0, 'oldest', NULL) AS r`,
          [batchId],
        )
      ).rows[0]!.r;

    it('invites each person once when the second waits for the first to commit', async () => {
      const ca = await client(names.a);
      const cb = await client(names.b);
      const batchA = await draftOn(ca, 'FLU-RACE', ['G82001']);
      const batchB = await draftOn(cb, 'FLU-RACE', ['G82002', 'G82001']);
      await ca.query('BEGIN');
      await cb.query('BEGIN');
      const resultA = await confirmOn(ca, batchA);
      let bDone = false;
      const pendingB = confirmOn(cb, batchB).then((r) => {
        bDone = true;
        return r;
      });
      await new Promise((r) => setTimeout(r, 500));
      // B has reached A's uncommitted invitations and waits on them.
      expect(bDone).toBe(false);
      await ca.query('COMMIT');
      const resultB = await pendingB;
      await cb.query('COMMIT');
      expect(resultA.invited).toBe(alpha.length);
      expect(resultB.invited).toBe(beta.length);
      expect(resultB.alreadyInvited).toBe(alpha.length);
      expect(await releaseTogether(ca, cb, 'FLU-RACE')).toBe(5000);
      expect(await invitedTwice('FLU-RACE')).toEqual({ people: 5000, invitations: 5000, communications: 5000 });
    });

    it('invites each person once when both run at once', async () => {
      const ca = await client(names.a);
      const cb = await client(names.b);
      const batchA = await draftOn(ca, 'FLU-RACE2', ['G82001', 'G82002']);
      const batchB = await draftOn(cb, 'FLU-RACE2', ['G82002', 'G82001']);
      const [ra, rb] = await Promise.all([confirmOn(ca, batchA), confirmOn(cb, batchB)]);
      expect(ra.invited + rb.invited).toBe(5000);
      expect(ra.alreadyInvited + rb.alreadyInvited).toBe(5000);
      expect(await releaseTogether(ca, cb, 'FLU-RACE2')).toBe(5000);
      expect(await invitedTwice('FLU-RACE2')).toEqual({ people: 5000, invitations: 5000, communications: 5000 });
    });
  });

  describe('releasing waves', () => {
    let ids: number[];

    beforeAll(async () => {
      await saveCampaign(a, 'FLU-RELEASE');
      ids = await addPeople(6, 'G82007');
      const { batchId } = await draft(a, 'FLU-RELEASE', ['G82007']);
      // Two a day, oldest first: yesterday, today and tomorrow.
      expect(await confirm(a, batchId, { mode: 'per-day', cap: 2, startOn: '2026-11-01' })).toMatchObject({ invited: 6 });
    });

    it('writes on its day, by the channel the details allow then, to no one who died, booked or was vaccinated since', async () => {
      const [p0, p1, p2, p3, p4, p5] = ids as [number, number, number, number, number, number];
      await db.query(`UPDATE ims.person SET date_of_death = '2026-10-30' WHERE id = $1`, [p1]);
      await db.query(`UPDATE ims.contact_details SET opt_out_sms = true WHERE person_id = $1`, [p2]);
      await value(call(a, 'campaign.booking.record', { campaignCode: 'FLU-RELEASE', personId: p3, bookedFor: '2026-11-20' }));
      await db.query(
        `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
         VALUES ($1, 'FLU_2026_27', 'GIVEN', '2026-10-25', $2, false, 'OTHER_PROVIDER')`,
        [p4, PRODUCT.FLU_CELL],
      );
      const messages = async () =>
        (
          await db.query<{ person_id: string; channel: string }>(
            `SELECT m.person_id, m.channel FROM ims.communication m JOIN ims.campaign k ON k.id = m.campaign_id
             WHERE k.code = 'FLU-RELEASE' AND m.purpose = 'INVITATION' ORDER BY m.person_id`,
          )
        ).rows.map((r) => [Number(r.person_id), r.channel]);
      // Yesterday's and today's waves: the one who died and the one who booked are not written to;
      // the one who has since opted out of texts gets a letter.
      expect(await dailyRun(a, 'FLU-RELEASE')).toEqual({ released: 2, reminders: 0, consentReminders: null });
      expect(await messages()).toEqual([
        [p0, 'SMS'],
        [p2, 'LETTER'],
      ]);
      // Exporting the texts due by tomorrow releases tomorrow's wave first (the vaccinated person left out).
      const sms = await value<{ rows: number }>(
        call(a, 'campaign.notify.export', { campaignCode: 'FLU-RELEASE', channel: 'SMS', dueBy: '2026-11-03', markSent: false }),
      );
      expect(sms.rows).toBe(2);
      expect(await messages()).toEqual([
        [p0, 'SMS'],
        [p2, 'LETTER'],
        [p5, 'SMS'],
      ]);
    });

    it('the database keeps invitations to people and batches that exist, and keeps what they name', async () => {
      const [p0, p1] = ids as [number, number];
      const other = await saveCampaign(a, 'FLU-OTHER');
      const { batchId: otherBatch } = await draft(a, 'FLU-OTHER', ['G82006']);
      const code = async (sql: string, params: unknown[]) => {
        try {
          await db.query(sql, params);
          return 'accepted';
        } catch (e) {
          return `${(e as { code?: string }).code}: ${(e as Error).message}`;
        }
      };
      const invite = `INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
                      SELECT i.campaign_id, $1, $2::bigint, 1, '2026-11-02', 'SMS' FROM ims.invitation i WHERE i.person_id = $3`;
      const batch = Number(
        (await db.query<{ batch_id: string }>(`SELECT batch_id FROM ims.invitation WHERE person_id = $1`, [p0])).rows[0]!.batch_id,
      );
      expect(await code(invite, [987654321, batch, p0])).toBe('23503: An invitation names a person who is not on the register.');
      const stranger = (await addPeople(1, 'G82006'))[0]!;
      expect(await code(invite, [stranger, otherBatch, p0])).toBe("23503: An invitation names a batch that is not one of its campaign's.");
      expect(other.code).toBe('FLU-OTHER');
      // A second invitation of one person for one campaign is refused by the key itself.
      expect(await code(invite, [p0, batch, p0])).toMatch(
        /^23505: duplicate key value violates unique constraint "invitation_campaign_id_person_id_key"/,
      );
      expect(await code(`DELETE FROM ims.person WHERE id = $1`, [p0])).toBe(
        '23503: Invitations name the person being deleted; they are kept, so it is too.',
      );
      expect(await code(`DELETE FROM ims.invitation_batch WHERE id = $1`, [batch])).toBe(
        '23503: Invitations name the invitation_batch being deleted; they are kept, so it is too.',
      );
      expect(await code(`UPDATE ims.invitation SET person_id = $1 WHERE person_id = $2`, [p1, p0])).toBe(
        "23503: An invitation's person, campaign and batch never change.",
      );
      // A person or batch no invitation names is deleted as before.
      expect(await code(`DELETE FROM ims.invitation_batch WHERE id = $1`, [otherBatch])).toBe('accepted');
      expect(await code(invite, [stranger, batch, p0])).toBe('accepted');
    });
  });

  it('sizes waves to clinic slots, oldest first, as the what-if planned them', async () => {
    await saveCampaign(a, 'FLU-CLINIC');
    const people = await addPeople(100, 'G82005');
    const detail = await value<CampaignDetail>(
      call(a, 'campaign.clinic.save', { campaignCode: 'FLU-CLINIC', name: 'Town hall', postcode: 'ME1 1AA' }),
    );
    const clinicId = detail.clinics[0]!.id;
    for (const [date, startsAt, endsAt, slots] of [
      ['2026-10-14', '09:00', '12:00', 20],
      ['2026-10-14', '13:00', '16:00', 20],
      ['2026-10-21', '09:00', '12:00', 30],
      ['2026-10-07', '09:00', '12:00', 99], // before the start + lead
    ] as const)
      await value(call(a, 'campaign.session.save', { clinicId, date, startsAt, endsAt, slots }));
    const { batchId } = await draft(a, 'FLU-CLINIC', ['G82005']);
    const plan = { mode: 'clinic', startOn: '2026-10-01', leadDays: 10, priority: 'oldest' };
    const whatIf = await value<WavePlan>(call(a, 'campaign.waves.plan', { batchId, plan }));
    expect(whatIf).toMatchObject({ people: 100, totalWaves: 2, leftOver: 30, exhaustedOn: null });
    expect(whatIf.waves.map((w) => [w.wave, w.releaseOn, w.people, w.slots, w.clinicDay])).toEqual([
      [1, '2026-10-04', 40, 40, '2026-10-14'],
      [2, '2026-10-11', 30, 30, '2026-10-21'],
    ]);
    // The what-if wrote nothing.
    expect((await db.query(`SELECT 1 FROM ims.invitation WHERE batch_id = $1`, [batchId])).rowCount).toBe(0);
    const result = await confirm(a, batchId, plan);
    expect(result.waves).toEqual(whatIf.waves.map((w) => ({ wave: w.wave, releaseOn: w.releaseOn, people: w.people })));
    expect(result).toMatchObject({ invited: 70, leftOver: 30 });
    const firstWave = await db.query<{ person_id: string }>(`SELECT person_id FROM ims.invitation WHERE batch_id = $1 AND wave = 1`, [
      batchId,
    ]);
    // The oldest 40 (added oldest first) are in the first wave.
    expect(firstWave.rows.map((r) => Number(r.person_id)).sort((x, y) => x - y)).toEqual(people.slice(0, 40));
  });

  describe('reminders', () => {
    let ids: Record<'day13' | 'day14' | 'booked' | 'vaccinated' | 'day30' | 'unsent', number>;

    beforeAll(async () => {
      await saveCampaign(a, 'FLU-REMIND', {
        reminderRules: [
          { daysAfterInvitation: 14, channel: 'SMS' },
          { daysAfterInvitation: 28, channel: 'LETTER' },
        ],
      });
      const [day13, day14, booked, vaccinated, day30, unsent] = await addPeople(6, 'G82004');
      ids = { day13: day13!, day14: day14!, booked: booked!, vaccinated: vaccinated!, day30: day30!, unsent: unsent! };
      const { batchId } = await draft(a, 'FLU-REMIND', ['G82004']);
      await confirm(a, batchId);
      await dailyRun(a, 'FLU-REMIND');
      // Sent 13, 14, 14, 14 and 30 days before today, at 10:00 in England; one never sent.
      for (const [person, days] of [
        [ids.day13, 13],
        [ids.day14, 14],
        [ids.booked, 14],
        [ids.vaccinated, 14],
        [ids.day30, 30],
      ] as const)
        await db.query(
          `UPDATE ims.communication SET status = 'SENT', status_at = now(),
             sent_at = (($2::date - $3::integer) + time '10:00') AT TIME ZONE 'Europe/London'
           WHERE person_id = $1 AND purpose = 'INVITATION'`,
          [person, TODAY, days],
        );
      await value(call(a, 'campaign.booking.record', { campaignCode: 'FLU-REMIND', personId: ids.booked, bookedFor: '2026-11-20' }));
      await db.query(
        `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
         VALUES ($1, 'FLU_2026_27', 'GIVEN', '2026-10-25', $2, false, 'OTHER_PROVIDER')`,
        [ids.vaccinated, PRODUCT.FLU_CELL],
      );
    });

    const reminders = async () =>
      (
        await db.query<{ person_id: string; channel: string; days: number; template_name: string | null }>(
          `SELECT m.person_id, m.channel, r.days_after_invitation AS days, m.template_name FROM ims.communication m
           JOIN ims.campaign_reminder_rule r ON r.id = m.reminder_rule_id WHERE m.purpose = 'REMINDER' ORDER BY m.person_id`,
        )
      ).rows.map((r) => ({ person: Number(r.person_id), channel: r.channel, days: r.days, template: r.template_name }));

    it('reminds on day 14, not day 13, nor the booked or vaccinated, and only the latest rule that applies', async () => {
      expect(await value(call(a, 'campaign.reminders.run', { campaignCode: 'FLU-REMIND' }))).toEqual({
        released: 0,
        reminders: 2,
        consentReminders: null,
      });
      expect(await reminders()).toEqual([
        { person: ids.day14, channel: 'SMS', days: 14, template: null },
        { person: ids.day30, channel: 'LETTER', days: 28, template: 'flu-reminder-letter' },
      ]);
    });

    it('is safe to run again, and twice at once', async () => {
      expect(await value(call(a, 'campaign.reminders.run', { campaignCode: null }))).toMatchObject({ reminders: 0 });
      const tomorrow = createCampaignHandlers(await connections.open({ name: names.a, password: PASSWORD }), () => '2026-11-03');
      const other = createCampaignHandlers(await connections.open({ name: names.b, password: PASSWORD }), () => '2026-11-03');
      // Tomorrow the day-13 person is due: two runs at once make one reminder.
      const [x, y] = await Promise.all([
        value<{ reminders: number }>(call(tomorrow, 'campaign.reminders.run', { campaignCode: 'FLU-REMIND' })),
        value<{ reminders: number }>(call(other, 'campaign.reminders.run', { campaignCode: 'FLU-REMIND' })),
      ]);
      expect(x.reminders + y.reminders).toBe(1);
      expect((await reminders()).filter((r) => r.person === ids.day13)).toHaveLength(1);
    });
  });

  it('puts people whose next dose has fallen due in the recall queue, once', async () => {
    await saveCampaign(a, 'FLU-RECALL', {
      templates: [{ purpose: 'RECALL', channel: 'SMS', templateName: 'flu-dose-2', templateVersion: 1 }],
    });
    const [due, overdue, tomorrow, firstDose, complete] = await addPeople(5, 'G82006');
    const [outside] = await addPeople(1, 'G99001');
    // Crafted over what the engine computed when they were added.
    const status = (person: number, st: string, dose: number | null, dueDate: string | null) =>
      db.query(
        `INSERT INTO ims.series_status (person_id, series_id, kind, series_name, status, next_dose, due_date, computed_on, rules_version)
         VALUES ($1, 'FLU_2026_27', 'CAMPAIGN', 'Flu 2026 to 2027', $2, $3, $4, $5, 'test')
         ON CONFLICT (person_id, series_id) DO UPDATE SET status = EXCLUDED.status, next_dose = EXCLUDED.next_dose,
           due_date = EXCLUDED.due_date`,
        [person, st, dose, dueDate, TODAY],
      );
    await status(due!, 'DUE', 2, TODAY);
    await status(overdue!, 'OVERDUE', 2, '2026-10-20');
    await status(tomorrow!, 'DUE', 2, '2026-11-03');
    await status(firstDose!, 'DUE', 1, TODAY);
    await status(complete!, 'COMPLETE', null, null);
    await status(outside!, 'DUE', 2, TODAY);
    expect(await value(call(a, 'campaign.recall.run', { campaignCode: 'FLU-RECALL' }))).toEqual({ created: 2 });
    expect(await value(call(a, 'campaign.recall.run', { campaignCode: 'FLU-RECALL' }))).toEqual({ created: 0 });
    const later = createCampaignHandlers(await connections.open({ name: names.a, password: PASSWORD }), () => '2026-11-03');
    expect(await value(call(later, 'campaign.recall.run', { campaignCode: 'FLU-RECALL' }))).toEqual({ created: 1 });
    const queued = await db.query<{ person_id: string; dose: number; template_name: string }>(
      `SELECT r.person_id, r.dose, m.template_name FROM ims.recall_entry r JOIN ims.communication m ON m.recall_id = r.id ORDER BY r.person_id`,
    );
    expect(queued.rows.map((r) => [Number(r.person_id), r.dose, r.template_name])).toEqual([
      [due, 2, 'flu-dose-2'],
      [overdue, 2, 'flu-dose-2'],
      [tomorrow, 2, 'flu-dose-2'],
    ]);
  });

  describe('bookings', () => {
    let people: number[];
    let numbers: string[];

    beforeAll(async () => {
      await saveCampaign(a, 'FLU-BOOK', { reminderRules: [{ daysAfterInvitation: 14, channel: 'SMS' }] });
      people = await addPeople(3, 'G82002');
      numbers = (
        await db.query<{ nhs_number: string }>(`SELECT nhs_number FROM ims.person WHERE id = ANY ($1) ORDER BY id`, [people])
      ).rows.map((r) => r.nhs_number);
    });

    const bookings = async () =>
      Number(
        (await db.query(`SELECT count(*) AS n FROM ims.booking b JOIN ims.campaign k ON k.id = b.campaign_id WHERE k.code = 'FLU-BOOK'`))
          .rows[0]!.n,
      );

    it('reports every bad row of a file with its number, field and reason, and writes nothing', async () => {
      const [outside] = await addPeople(1, 'G99001');
      const outsideNumber = (await db.query<{ nhs_number: string }>(`SELECT nhs_number FROM ims.person WHERE id = $1`, [outside])).rows[0]!
        .nhs_number;
      const csv = [
        'Reference,NHS number,Date,Status',
        `R1,${numbers[0]},2026-11-10,BOOKED`,
        `R2,9434765918,2026-11-10,BOOKED`,
        `R3,${nhs(9999)},2026-11-10,BOOKED`,
        `R4,${outsideNumber},2026-11-10,BOOKED`,
        `R5,${numbers[1]},2026-02-30,BOOKED`,
        `R6,${numbers[1]},2026-11-10,MAYBE`,
        `R1,${numbers[2]},2026-11-10,BOOKED`,
      ].join('\n');
      const r = (await call(a, 'campaign.bookings.import', { campaignCode: 'FLU-BOOK', csv })) as Result<unknown>;
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('VALIDATION');
      const rows = r.error.details?.kind === 'rows' ? r.error.details.rows : [];
      expect(rows.map((x) => [x.row, x.field])).toEqual([
        [1, 'reference'],
        [2, 'nhsNumber'],
        [3, 'nhsNumber'],
        [4, 'nhsNumber'],
        [5, 'date'],
        [6, 'status'],
        [7, 'reference'],
      ]);
      // Out of scope reads exactly like not on the register.
      expect(rows[2]!.message).toBe(rows[3]!.message);
      expect(await bookings()).toBe(0);
    });

    it('imports bookings, follows up a did-not-attend, updates by reference, and a booked person gets no reminder', async () => {
      const { batchId } = await draft(a, 'FLU-BOOK', ['G82002']);
      await confirm(a, batchId);
      await dailyRun(a, 'FLU-BOOK');
      await db.query(
        `UPDATE ims.communication m SET status = 'SENT', status_at = now(), sent_at = ($2::date - 20) + time '10:00'
         FROM ims.campaign k WHERE k.id = m.campaign_id AND k.code = 'FLU-BOOK' AND m.person_id = ANY ($1)`,
        [people, TODAY],
      );
      const csv = `nhs_number,date,status,reference\n${numbers[0]},10/11/2026,Booked,SYS-1\n"${numbers[1]}",2026-11-01,DNA,SYS-2\n`;
      expect(await value(call(a, 'campaign.bookings.import', { campaignCode: 'FLU-BOOK', csv }))).toEqual({
        added: 2,
        updated: 0,
        followUps: 1,
      });
      expect(await value(call(a, 'campaign.bookings.import', { campaignCode: 'FLU-BOOK', csv }))).toEqual({
        added: 0,
        updated: 2,
        followUps: 0,
      });
      const dna = await db.query(`SELECT 1 FROM ims.communication WHERE purpose = 'DID_NOT_ATTEND' AND person_id = $1`, [people[1]]);
      expect(dna.rowCount).toBe(1);
      // Booked: no reminder; did not attend and not booked: reminded.
      expect(await value(call(a, 'campaign.reminders.run', { campaignCode: 'FLU-BOOK' }))).toEqual({
        released: 0,
        reminders: 2,
        consentReminders: null,
      });
      const reminded = await db.query<{ person_id: string }>(
        `SELECT person_id FROM ims.communication WHERE purpose = 'REMINDER' AND person_id = ANY ($1) ORDER BY person_id`,
        [people],
      );
      expect(reminded.rows.map((r) => Number(r.person_id))).toEqual([people[1], people[2]]);
      // By hand: a did-not-attend recorded on a booking gets its follow-up once.
      const { bookingId } = await value<{ bookingId: number }>(
        call(a, 'campaign.booking.record', { campaignCode: 'FLU-BOOK', personId: people[2], bookedFor: '2026-11-05', reference: 'HAND-1' }),
      );
      await value(
        call(a, 'campaign.booking.record', {
          campaignCode: 'FLU-BOOK',
          personId: people[2],
          bookedFor: '2026-11-05',
          status: 'DID_NOT_ATTEND',
          reference: 'HAND-1',
        }),
      );
      await value(
        call(a, 'campaign.booking.record', {
          campaignCode: 'FLU-BOOK',
          personId: people[2],
          bookedFor: '2026-11-05',
          status: 'DID_NOT_ATTEND',
          reference: 'HAND-1',
        }),
      );
      const followUps = await db.query(`SELECT 1 FROM ims.communication WHERE purpose = 'DID_NOT_ATTEND' AND booking_id = $1`, [bookingId]);
      expect(followUps.rowCount).toBe(1);
      // The cohorts' invitation criteria read these invitations and bookings.
      const invitationCohort = (state: string) =>
        value<BatchPreview>(
          call(a, 'campaign.batch.draft', {
            campaignCode: 'FLU-BOOK',
            definition: {
              ...cohort(['G82002'], { invitedWithinDays: 0 }),
              criteria: { all: [{ practice: ['G82002'] }, { invitation: { state } }] },
            },
            draftKey: randomUUID(),
          }),
        );
      expect((await invitationCohort('did-not-attend')).members).toBe(2);
      // Everyone at the practice is invited (the race's 2,000 and these 3) but the one booked.
      expect((await invitationCohort('invited-not-booked')).members).toBe(2002);
      expect((await invitationCohort('never-invited')).members).toBe(0);
      // The funnel: three invited (the batch's cohort), two reminded, one booked, two missed.
      const { funnel } = await value<CampaignDetail>(call(a, 'campaign.get', { code: 'FLU-BOOK' }));
      expect(funnel).toEqual({ eligible: 3, invited: 3, reminded: 2, booked: 1, attended: 0, didNotAttend: 2, vaccinated: 0 });
    });
  });

  it('exports pending invitations as a GOV.UK Notify bulk-send file and marks them sent', async () => {
    const sms = await value<{ csv: string; rows: number; fileName: string }>(
      call(a, 'campaign.notify.export', { campaignCode: 'FLU-CHANNELS', channel: 'SMS', purpose: 'INVITATION' }),
    );
    expect(sms.rows).toBe(2);
    expect(sms.fileName).toBe(`FLU-CHANNELS-INVITATION-SMS-${TODAY}.csv`);
    const lines = sms.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('phone number,first name,last name,nhs number,campaign,how to book,reference');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(['07700900001', '07700900003']);
    const letters = await value<{ csv: string }>(call(a, 'campaign.notify.export', { campaignCode: 'FLU-CHANNELS', channel: 'LETTER' }));
    expect(letters.csv.split('\r\n')[0]).toBe(
      'address line 1,address line 2,address line 3,address line 4,address line 5,postcode,first name,last name,nhs number,campaign,how to book,reference',
    );
    expect(await value(call(a, 'campaign.notify.export', { campaignCode: 'FLU-CHANNELS', channel: 'SMS' }))).toMatchObject({ rows: 0 });
    const sent = await db.query(`SELECT 1 FROM ims.communication m JOIN ims.campaign k ON k.id = m.campaign_id
      WHERE k.code = 'FLU-CHANNELS' AND m.channel = 'SMS' AND m.status = 'SENT' AND m.sent_at IS NOT NULL`);
    expect(sent.rowCount).toBe(2);
  });

  describe('who may see and do what', () => {
    let person: number;

    beforeAll(async () => {
      person = Number(
        (
          await db.query<{ person_id: string }>(
            `SELECT min(person_id) AS person_id FROM ims.invitation i JOIN ims.person p ON p.id = i.person_id WHERE p.practice_code = 'G82001'`,
          )
        ).rows[0]!.person_id,
      );
    });

    it('shows a person in scope their invitations and messages, and audits the read', async () => {
      const record = await value<PersonCampaignRecord>(call(nurse, 'campaign.person.record', { personId: person }));
      expect(record.invitations.map((i) => i.campaignCode).sort()).toEqual(['FLU-RACE', 'FLU-RACE2']);
      expect(record.communications.every((c) => c.purpose === 'INVITATION' && c.status === 'PENDING')).toBe(true);
      const views = await db.query(`SELECT 1 FROM audit.record_view WHERE person_id = $1 AND actor = $2 AND purpose = 'Campaign record'`, [
        person,
        names.nurse,
      ]);
      expect(views.rowCount).toBe(1);
    });

    it('shows a coordinator elsewhere nothing', async () => {
      expect(await value(call(far, 'campaign.list', {}))).toEqual([]);
      expect(await call(far, 'campaign.get', { code: 'FLU-RACE' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await call(far, 'campaign.person.record', { personId: person })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const batch = Number((await db.query<{ id: string }>(`SELECT min(id) AS id FROM ims.invitation_batch`)).rows[0]!.id);
      expect(await call(far, 'campaign.batch.preview', { batchId: batch })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await call(far, 'campaign.reminders.run', { campaignCode: 'FLU-RACE' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      // Nor may they start a campaign for an organisation outside their scope.
      expect(
        await call(far, 'campaign.save', {
          code: 'FAR-FLU',
          name: 'Far',
          programmeCode: 'FLU_2026_27',
          organisationCode: 'QKS',
          channels: ['SMS'],
          bookingRoute: 'NATIONAL',
        }),
      ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });

    it('lets child health read but not run campaigns', async () => {
      expect((await value<{ code: string }[]>(call(nurse, 'campaign.list', {}))).length).toBeGreaterThan(0);
      expect(await call(nurse, 'campaign.reminders.run', { campaignCode: 'FLU-RACE' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      const c = await client(names.nurse);
      await expect(c.query(`SELECT api.campaign_reminders_run('FLU-RACE', '2026-11-02')`)).rejects.toMatchObject({ code: '42501' });
    });

    it('refuses an analyst and plain table access in the database', async () => {
      const c = await client(names.analyst);
      await expect(c.query('SELECT api.campaigns()')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('SELECT api.person_campaign_record($1, $2)', [person, 'x'])).rejects.toMatchObject({ code: '42501' });
      const coordinator = await client(names.a);
      for (const table of [
        'ims.invitation',
        'ims.communication',
        'ims.booking',
        'ims.recall_entry',
        'ims.campaign',
        'ims.invitation_batch',
      ])
        await expect(coordinator.query(`SELECT count(*) FROM ${table}`), table).rejects.toMatchObject({ code: '42501' });
    });
  });
});

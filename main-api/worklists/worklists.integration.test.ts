// The child register, worklists, actions and the did-not-attend list on crafted children, as real
// login roles: each filter, keyset paging both ways, the counts, the export, each action and what
// it does to a worklist's open count, freshness through the status queue, the audit of every
// read, and refusals by scope and by role.
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import type { ChildFilter, ChildRow, WorklistView } from '../contract/worklists';
import type { Handlers } from '../contract/contract';
import { openDataSource } from '../platform/db/datasource';
import { effectiveRulesOn, scheduleRules } from '../schedule';
import { drainStatusQueue, inTransaction } from '../schedule-status/status-queue.service';
import { addDays } from '../shared/calendar/dates';
import { todayInLondon } from '../shared/calendar/england';
import { createWorklistHandlers } from './worklists.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { call, connectAs, nhsSequence, userConnections, type UserConnections } from '../../tests/support/fixtures';

const nhs = nhsSequence(999_410_000, 7);
const TODAY = todayInLondon();

/** A date of birth this many years (and days) before today. */
const born = (years: number, days = 0): string =>
  addDays(`${String(Number(TODAY.slice(0, 4)) - years).padStart(4, '0')}${TODAY.slice(4, 10)}`, -days).replace(/-02-29$/, '-02-28');

const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'), ('QXX', 'Elsewhere ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS'), ('G99001', 'Far Surgery', 'GP', 'QXX');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G99001');
INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES
  ('E06000035', 'Medway', 'QKS', 'Y59'), ('E07000110', 'Maidstone', 'QKS', 'Y59'), ('E06000999', 'Far Away', 'QXX', 'Y59');
INSERT INTO ims.school (urn, name, phase, la_code) VALUES
  ('118000', 'Hill Primary', 'PRIMARY', 'E06000035'), ('118001', 'Vale Primary', 'PRIMARY', 'E07000110');
`;

interface Crafted {
  dob: string;
  practice?: string;
  la?: string;
  postcode?: string;
  school?: string;
  yearGroup?: number;
  /** Series rows written over the engine's: [series id, status, overdue from (days ago)]. */
  series?: [string, string, number | null][];
  address?: boolean;
}

const BASE = { practice: 'G82001', la: 'E06000035', postcode: 'ME1 1AA' };

const CHILDREN: Record<string, Crafted> = {
  // Overdue 200 days, school Hill year 3, age 8.
  Olive: {
    dob: born(8, 40),
    school: '118000',
    yearGroup: 3,
    series: [
      ['MMR', 'OVERDUE', 200],
      ['PRESCHOOL', 'OVERDUE', 150],
    ],
    address: true,
  },
  // Overdue 20 days, the other practice and district, Vale year 1, age 6.
  Nina: {
    dob: born(6, 10),
    practice: 'G82002',
    la: 'E07000110',
    postcode: 'ME14 2BB',
    school: '118001',
    yearGroup: 1,
    series: [['PRESCHOOL', 'OVERDUE', 20]],
  },
  // A baby overdue 10 days.
  Ben: {
    dob: born(0, 100),
    series: [
      ['SIX-IN-1', 'OVERDUE', 10],
      ['MENB', 'DUE', null],
    ],
  },
  Dora: { dob: born(1, 20), series: [['MMR', 'DUE', null]] },
  Ivy: {
    dob: born(15, 5),
    postcode: 'ME14 3CC',
    series: [
      ['HPV', 'TOO_LATE', null],
      ['TD-IPV', 'UPCOMING', null],
    ],
  },
  Cara: { dob: born(10, 3), practice: 'G82002', la: 'E07000110', series: [['MMR', 'COMPLETE', null]] },
  // Out of everyone's scope but the region's.
  Finn: { dob: born(4, 3), practice: 'G99001', la: 'E06000999', postcode: 'TN1 1AA', series: [['MMR', 'OVERDUE', 60]] },
  // Not children.
  Adam: { dob: born(30), series: [['MMR', 'OVERDUE', 300]] },
};

describe('child health worklists', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let owner: DataSource;
  let wide: Handlers;
  let narrow: Handlers;
  let coordinator: Handlers;
  let coordinatorClient: pg.Client;
  let wideClient: pg.Client;
  const ids: Record<string, number> = {};
  const names = {
    wide: uniqueName('t_wl_wide'),
    narrow: uniqueName('t_wl_narrow'),
    coordinator: uniqueName('t_wl_coord'),
  };

  const drain = () => drainStatusQueue(inTransaction(owner), { asOf: TODAY, rules: scheduleRules() });

  async function add(name: string, c: Crafted): Promise<void> {
    const p = { ...BASE, ...c };
    const r = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, postcode, la_code, practice_code, school_urn, year_group)
       VALUES ($1, $2, 'Child', $3, $4, $5, $6, $7, $8) RETURNING id`,
      [nhs(Object.keys(ids).length + 1), name, p.dob, p.postcode, p.la, p.practice, p.school ?? null, p.yearGroup ?? null],
    );
    ids[name] = Number(r.rows[0]!.id);
    if (p.address)
      await db.query(
        `INSERT INTO ims.contact_details (person_id, address_line1, preferred_channel) VALUES ($1, '1 High Street', 'LETTER')`,
        [ids[name]],
      );
  }

  /** Writes the crafted series rows over the engine's, as the owner, and refreshes the child rows. */
  async function craft(name: string, series: [string, string, number | null][]): Promise<void> {
    const id = ids[name]!;
    await db.query('DELETE FROM ims.series_status WHERE person_id = $1', [id]);
    for (const [seriesId, status, daysAgo] of series)
      await db.query(
        `INSERT INTO ims.series_status (person_id, series_id, kind, series_name, status, next_dose, due_date, overdue_from, computed_on, rules_version)
         VALUES ($1, $2, 'SERIES', $2 || ' series', $3, 1, $4::date, $5::date, $6, 'test')`,
        [id, seriesId, status, addDays(TODAY, -(daysAgo ?? 0) - 28), daysAgo === null ? null : addDays(TODAY, -daysAgo), TODAY],
      );
    await db.query('SELECT ims.child_status_refresh(ARRAY[$1::bigint])', [id]);
  }

  const page = async (h: Handlers, filter: ChildFilter, sort: 'overdue' | 'name' | 'dob' = 'name', descending = false) => {
    const r = await call(h, 'childHealth.register.page', { filter, sort, descending, limit: 100 });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return (r.value as { rows: ChildRow[] }).rows.map((row) => row.givenName);
  };

  async function open(h: Handlers, id: number): Promise<WorklistView> {
    const r = await call(h, 'worklists.open', { id, limit: 100 });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as WorklistView;
  }

  async function act(h: Handlers, input: Record<string, unknown>) {
    return call(h, 'childHealth.action.record', input);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    for (const [name, c] of Object.entries(CHILDREN)) await add(name, c);
    // Engine-assessed: a three-year-old with no vaccinations recorded (overdue for several series).
    await add('Ella', { dob: born(3, 15), address: true });
    await add('Gone', { dob: born(2, 15) });
    owner = await openDataSource(db.url, 'IMS test owner');
    await drain();
    for (const [name, c] of Object.entries(CHILDREN)) if (c.series) await craft(name, c.series);
    const w = await addUser(db.url, { name: names.wide, role: 'child-health', orgs: ['Y59'] });
    const n = await addUser(db.url, { name: names.narrow, role: 'child-health', orgs: ['G82002'] });
    const c = await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['QKS'] });
    const today = () => TODAY;
    const handlers = async (u: { name: string; password: string }) => {
      const ds = await connections.open(u);
      return createWorklistHandlers(ds, effectiveRulesOn(ds), today) as unknown as Handlers;
    };
    wide = await handlers(w);
    narrow = await handlers(n);
    coordinator = await handlers(c);
    coordinatorClient = await connectAs(db.urlAs(c.name, c.password));
    wideClient = await connectAs(db.urlAs(w.name, w.password));
  });

  afterAll(async () => {
    await coordinatorClient?.end();
    await wideClient?.end();
    await owner?.destroy();
    await connections.closeAll();
    await db.drop();
  });

  it('derives each child status from the engine, and keeps adults out', async () => {
    const rows = await page(wide, {});
    expect(rows).toEqual(['Ben', 'Cara', 'Dora', 'Ella', 'Finn', 'Gone', 'Ivy', 'Nina', 'Olive']);
    const byStatus = async (s: 'OVERDUE' | 'DUE' | 'INCOMPLETE' | 'COMPLETE') => page(wide, { statuses: [s] });
    expect(await byStatus('OVERDUE')).toEqual(['Ben', 'Ella', 'Finn', 'Gone', 'Nina', 'Olive']);
    expect(await byStatus('DUE')).toEqual(['Dora']);
    expect(await byStatus('INCOMPLETE')).toEqual(['Ivy']);
    expect(await byStatus('COMPLETE')).toEqual(['Cara']);
  });

  it('follows a new name at once, without recomputing anyone', async () => {
    await db.query(`UPDATE ims.person SET given_name = 'Coral' WHERE id = $1`, [ids.Cara]);
    expect(await page(wide, { practices: ['G82002'] })).toEqual(['Coral', 'Nina']);
    expect((await db.query('SELECT 1 FROM ims.series_status_stale')).rowCount).toBe(0);
    await db.query(`UPDATE ims.person SET given_name = 'Cara' WHERE id = $1`, [ids.Cara]);
  });

  it('filters by practice, locality, school and year group, age band and days overdue', async () => {
    expect(await page(wide, { practices: ['G82002'] })).toEqual(['Cara', 'Nina']);
    expect(await page(wide, { localAuthorities: ['E06000999'] })).toEqual(['Finn']);
    expect(await page(wide, { districts: ['ME14'] })).toEqual(['Ivy', 'Nina']);
    expect(await page(wide, { schools: ['118000'] })).toEqual(['Olive']);
    expect(await page(wide, { schools: ['118000', '118001'], yearGroups: [1] })).toEqual(['Nina']);
    expect(await page(wide, { ageBands: ['UNDER_1'] })).toEqual(['Ben']);
    expect(await page(wide, { ageBands: ['1_TO_4'] })).toEqual(['Dora', 'Ella', 'Finn', 'Gone']);
    expect(await page(wide, { ageBands: ['5_TO_11', '12_TO_15'] })).toEqual(['Cara', 'Ivy', 'Nina', 'Olive']);
    expect(await page(wide, { ageBands: ['16_TO_19'] })).toEqual([]);
    expect(await page(wide, { minDaysOverdue: 50, practices: ['G82001', 'G82002', 'G99001'] })).toEqual(['Ella', 'Finn', 'Gone', 'Olive']);
    expect(await page(wide, { minDaysOverdue: 15, maxDaysOverdue: 100, practices: ['G82001', 'G82002', 'G99001'] })).toEqual([
      'Finn',
      'Nina',
    ]);
  });

  it('sorts most overdue first and pages by keyset in both directions without losing or repeating anyone', async () => {
    const full = await page(wide, {}, 'overdue');
    // The engine's children have been overdue since infancy; the crafted ones since the days written.
    expect(full.slice(0, 6)).toEqual(['Ella', 'Gone', 'Olive', 'Finn', 'Nina', 'Ben']);
    expect(full.indexOf('Dora')).toBeGreaterThan(full.indexOf('Ben'));
    for (const [sort, descending] of [
      ['overdue', false],
      ['name', true],
      ['dob', false],
      ['dob', true],
    ] as const) {
      const all = await page(wide, {}, sort, descending);
      const seen: string[] = [];
      let after: unknown = null;
      for (let i = 0; i < 10; i++) {
        const r = await call(wide, 'childHealth.register.page', { filter: {}, sort, descending, after, limit: 2 });
        if (!r.ok) throw new Error(r.error.message);
        const v = r.value as { rows: ChildRow[]; next: unknown };
        seen.push(...v.rows.map((x) => x.givenName));
        if (v.next === null) break;
        after = v.next;
      }
      expect(seen).toEqual(all);
    }
    const bad = await call(wide, 'childHealth.register.page', { filter: {}, sort: 'dob', after: ['not a date', 1], limit: 2 });
    expect(bad.ok ? null : bad.error.code).toBe('VALIDATION');
  });

  it('counts by status within the scope, and the export lists the same children as CSV, each read audited', async () => {
    const counts = await call(wide, 'childHealth.register.counts', { filter: {} });
    expect(counts.ok && counts.value).toEqual({ total: 9, OVERDUE: 6, DUE: 1, INCOMPLETE: 1, COMPLETE: 1 });
    const narrowCounts = await call(narrow, 'childHealth.register.counts', { filter: {} });
    expect(narrowCounts.ok && narrowCounts.value).toEqual({ total: 2, OVERDUE: 1, DUE: 0, INCOMPLETE: 0, COMPLETE: 1 });
    const csv = await call(wide, 'childHealth.register.export', { filter: { practices: ['G82002'] }, sort: 'name' });
    if (!csv.ok) throw new Error(csv.error.message);
    const lines = (csv.value as { csv: string }).csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^NHS number,Family name,Given name,Date of birth/);
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(['Cara', 'Nina']);
    expect(lines[2]).toContain('Overdue');
    const audited = await db.query<{ person_id: string }>(
      `SELECT person_id FROM audit.record_view WHERE actor = $1 AND purpose = 'child register export' ORDER BY person_id`,
      [names.wide],
    );
    expect(audited.rows.map((r) => Number(r.person_id))).toEqual([ids.Nina, ids.Cara].sort((a, b) => a! - b!));
    const pageReads = await db.query(`SELECT 1 FROM audit.record_view WHERE actor = $1 AND purpose = 'child register' AND person_id = $2`, [
      names.wide,
      ids.Olive,
    ]);
    expect(pageReads.rowCount).toBeGreaterThan(0);
  });

  it('shows each user only the children in their scope, and refuses other roles in the database itself', async () => {
    expect(await page(narrow, {})).toEqual(['Cara', 'Nina']);
    const refused = await call(coordinator, 'childHealth.register.page', { filter: {}, limit: 10 });
    expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');
    await expect(
      coordinatorClient.query(`SELECT api.child_register_page('{}'::jsonb, 'name', false, NULL, 10, $1::date)`, [TODAY]),
    ).rejects.toThrow(/permission denied for function/);
    await expect(coordinatorClient.query('SELECT * FROM ims.child_status')).rejects.toThrow(/permission denied/);
    await expect(wideClient.query('SELECT * FROM ims.worklist_member')).rejects.toThrow(/permission denied/);
    // Values are checked in the database too, whatever the client sent.
    await expect(
      wideClient.query(`SELECT api.child_register_page('{"practices": ["x''; DROP"]}'::jsonb, 'name', false, NULL, 10, $1::date)`, [TODAY]),
    ).rejects.toThrow(/not a list of valid codes/);
    await expect(
      wideClient.query(`SELECT api.child_register_page('{"whatever": 1}'::jsonb, 'name', false, NULL, 10, $1::date)`, [TODAY]),
    ).rejects.toThrow(/has no field/);
    const elsewhere = await act(narrow, { personId: ids.Olive, kind: 'MOVED_AWAY' });
    expect(elsewhere.ok ? null : elsewhere.error.code).toBe('FORBIDDEN');
  });

  it('makes a worklist of the overdue children in scope, grouped, with what is owed and the engine saying why', async () => {
    const made = await call(wide, 'worklists.create', {
      name: 'Kent overdue',
      filter: { practices: ['G82001', 'G82002'], statuses: ['DUE'] },
      groupBy: 'PRACTICE',
      assignTo: names.narrow,
    });
    if (!made.ok) throw new Error(made.error.message);
    const { id, members } = made.value as { id: number; members: number };
    // Statuses are overdue whatever the filter said.
    expect(members).toBe(5);
    const view = await open(wide, id);
    expect(view.worklist.assignedTo).toBe(names.narrow);
    expect(view.counts).toMatchObject({ members: 5, open: 5, noLongerOverdue: 0 });
    expect(view.groups).toEqual([
      { key: 'G82001', label: 'Alpha Surgery', members: 4, open: 4 },
      { key: 'G82002', label: 'Beta Practice', members: 1, open: 1 },
    ]);
    expect(view.rows.map((r) => r.givenName)).toEqual(['Ella', 'Gone', 'Olive', 'Ben', 'Nina']);
    const ella = view.rows.find((r) => r.givenName === 'Ella')!;
    expect(ella.owed.length).toBeGreaterThan(0);
    expect(ella.why.length).toBeGreaterThan(0);
    expect(ella.why[0]!.explanation.join(' ').length).toBeGreaterThan(10);
    // The narrow user sees the same worklist within their scope only.
    const theirs = await open(narrow, id);
    expect(theirs.counts).toMatchObject({ members: 1, open: 1 });
    expect(theirs.rows.map((r) => r.givenName)).toEqual(['Nina']);
    const list = await call(wide, 'worklists.list', {});
    expect(list.ok && (list.value as { id: number; open: number }[]).find((w) => w.id === id)?.open).toBe(5);
    const reads = await db.query(
      `SELECT 1 FROM audit.record_view WHERE actor = $1 AND purpose = 'child health worklist' AND person_id = $2`,
      [names.narrow, ids.Nina],
    );
    expect(reads.rowCount).toBe(1);
    // Reassigned to another member of the team; never to someone outside child health.
    expect((await call(wide, 'worklists.assign', { id, assignTo: names.wide })).ok).toBe(true);
    expect((await open(wide, id)).worklist.assignedTo).toBe(names.wide);
    const notTeam = await call(wide, 'worklists.assign', { id, assignTo: names.coordinator });
    expect(notTeam.ok ? null : notTeam.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/not a child health user/),
    });
    // Keyset pages over the worklist.
    const first = await call(wide, 'worklists.open', { id, limit: 2 });
    const second = await call(wide, 'worklists.open', { id, limit: 2, after: first.ok ? (first.value as WorklistView).next : null });
    expect(second.ok && (second.value as WorklistView).rows.map((r) => r.givenName)).toEqual(['Olive', 'Ben']);
  });

  it('records each action on the child, sends letters through the communications, and the open count falls to zero', async () => {
    const made = await call(wide, 'worklists.create', { name: 'To zero', filter: { practices: ['G82001', 'G82002'] }, groupBy: 'SCHOOL' });
    const id = (made.ok && (made.value as { id: number }).id) as number;
    const openCount = async () => (await open(wide, id)).counts;

    // A letter: a pending overdue communication for the sending pipeline; the child stays open.
    const letter = await act(wide, { personId: ids.Olive, worklistId: id, kind: 'SEND_LETTER' });
    if (!letter.ok) throw new Error(letter.error.message);
    const comm = await db.query(`SELECT purpose, channel, status, campaign_id FROM ims.communication WHERE id = $1`, [
      (letter.value as { communicationId: number }).communicationId,
    ]);
    expect(comm.rows[0]).toEqual({ purpose: 'CHILD_OVERDUE', channel: 'LETTER', status: 'PENDING', campaign_id: null });
    // A message needs a mobile or email address.
    const noMobile = await act(wide, { personId: ids.Olive, worklistId: id, kind: 'SEND_MESSAGE' });
    expect(noMobile.ok ? null : noMobile.error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/no usable mobile/) });
    expect((await act(wide, { personId: ids.Olive, worklistId: id, kind: 'CALL', callOutcome: 'NO_ANSWER' })).ok).toBe(true);
    expect((await act(wide, { personId: ids.Nina, worklistId: id, kind: 'REFER_GP', note: 'Asked the practice nurse to call' })).ok).toBe(
      true,
    );
    let c = await openCount();
    expect(c).toMatchObject({ members: 5, open: 5, actions: { SEND_LETTER: 1, CALL: 1, REFER_GP: 1 } });

    // Each action that ends the chase closes the child.
    const contraNoNote = await act(wide, { personId: ids.Ben, worklistId: id, kind: 'CONTRAINDICATED' });
    expect(contraNoNote.ok ? null : contraNoNote.error.code).toBe('VALIDATION');
    expect((await act(wide, { personId: ids.Olive, worklistId: id, kind: 'DECLINE', declineReason: 'PERSONAL_CHOICE' })).ok).toBe(true);
    expect((await open(wide, id)).counts.open).toBe(4);
    expect(
      (await act(wide, { personId: ids.Ben, worklistId: id, kind: 'CONTRAINDICATED', note: 'Severe reaction to a previous dose' })).ok,
    ).toBe(true);
    expect((await act(wide, { personId: ids.Nina, worklistId: id, kind: 'MOVED_AWAY' })).ok).toBe(true);
    expect((await act(wide, { personId: ids.Ella, worklistId: id, kind: 'NOT_KNOWN_AT_ADDRESS' })).ok).toBe(true);
    c = await openCount();
    expect(c).toMatchObject({
      open: 1,
      closed: { DECLINE: 1, CONTRAINDICATED: 1, MOVED_AWAY: 1, NOT_KNOWN_AT_ADDRESS: 1 },
    });

    // The last one is no longer overdue once the status queue says so (here: recorded as died).
    await db.query(`UPDATE ims.person SET date_of_death = $2, registration_status = 'DECEASED' WHERE id = $1`, [ids.Gone, TODAY]);
    await drain();
    c = await openCount();
    expect(c).toMatchObject({ members: 5, open: 0, noLongerOverdue: 1 });
    expect((await open(wide, id)).rows).toEqual([]);

    // The actions are on the child's record, newest first, and audited as changes.
    const record = await call(wide, 'childHealth.person.actions', { personId: ids.Olive });
    expect(record.ok && (record.value as { kind: string }[]).map((a) => a.kind)).toEqual(['DECLINE', 'CALL', 'SEND_LETTER']);
    expect(record.ok && (record.value as { communicationStatus: string | null }[])[2]!.communicationStatus).toBe('PENDING');
    const changes = await db.query(`SELECT 1 FROM audit.change_log WHERE table_name = 'ims.child_action' AND person_id = $1`, [ids.Olive]);
    // The letter's row is written, then given its communication.
    expect(changes.rowCount).toBe(4);
    const closes = await db.query(`SELECT 1 FROM audit.change_log WHERE table_name = 'ims.worklist_member' AND person_id = $1`, [
      ids.Olive,
    ]);
    expect(closes.rowCount).toBeGreaterThan(0);
    // A new worklist leaves out children whose chase was ended.
    const again = await call(wide, 'worklists.create', { name: 'Again', filter: { practices: ['G82001', 'G82002'] } });
    expect(again.ok && (again.value as { members: number }).members).toBe(0);
  });

  it('lists children who missed a booked appointment with the next action, until rebooked', async () => {
    const camp = await db.query<{ id: string }>(
      `INSERT INTO ims.campaign (code, name, programme_code, organisation_code, channels, booking_route, booking_phone)
       VALUES ('WL-FLU', 'Children''s flu', 'FLU_2026_27', 'QKS', '{LETTER}', 'PHONE', '0300 123 4567') RETURNING id`,
    );
    const campaign = Number(camp.rows[0]!.id);
    const book = async (name: string, daysAgo: number, status: string, ref: string) =>
      Number(
        (
          await db.query<{ id: string }>(
            `INSERT INTO ims.booking (campaign_id, person_id, booked_for, status, source, external_reference)
             VALUES ($1, $2, $3, $4, 'HAND', $5) RETURNING id`,
            [campaign, ids[name], addDays(TODAY, -daysAgo), status, ref],
          )
        ).rows[0]!.id,
      );
    await book('Dora', 5, 'DID_NOT_ATTEND', 'DNA-1');
    const cara = await book('Cara', 30, 'DID_NOT_ATTEND', 'DNA-2');
    await book('Ivy', 40, 'DID_NOT_ATTEND', 'DNA-3');
    await book('Ivy', -3, 'BOOKED', 'DNA-3B');
    await book('Finn', 8, 'DID_NOT_ATTEND', 'DNA-4');
    const list = async (h: Handlers) => {
      const r = await call(h, 'childHealth.dna.page', { limit: 50 });
      if (!r.ok) throw new Error(r.error.message);
      return (r.value as { rows: { givenName: string; nextAction: string }[] }).rows.map((x) => `${x.givenName}:${x.nextAction}`);
    };
    expect(await list(wide)).toEqual(['Dora:SEND_LETTER', 'Finn:SEND_LETTER', 'Cara:SEND_LETTER']);
    expect(await list(narrow)).toEqual(['Cara:SEND_LETTER']);
    expect((await act(narrow, { personId: ids.Cara, bookingId: cara, kind: 'CALL', callOutcome: 'NO_ANSWER' })).ok).toBe(true);
    expect(await list(narrow)).toEqual(['Cara:CALL_AGAIN']);
    expect((await act(narrow, { personId: ids.Cara, bookingId: cara, kind: 'CALL', callOutcome: 'LEFT_MESSAGE' })).ok).toBe(true);
    expect(await list(narrow)).toEqual(['Cara:REFER_GP']);
    const paged = await call(wide, 'childHealth.dna.page', { limit: 1 });
    const rest = await call(wide, 'childHealth.dna.page', { limit: 5, after: paged.ok ? (paged.value as { next: unknown }).next : null });
    expect(rest.ok && (rest.value as { rows: { givenName: string }[] }).rows.map((r) => r.givenName)).toEqual(['Finn', 'Cara']);
    const refused = await call(coordinator, 'childHealth.dna.page', { limit: 5 });
    expect(refused.ok ? null : refused.error.code).toBe('FORBIDDEN');
  });
});

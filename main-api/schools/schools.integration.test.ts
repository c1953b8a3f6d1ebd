// School sessions on crafted children, as real login roles: who is eligible by school and year
// group, consent responses and the child's own consent, consent requests and idempotent
// reminders, an outcome that records a vaccination event (and queues the status refresh), the
// audit, and refusals for a role that does not run sessions and for a child out of scope.
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import type { SchoolSessionDetail } from '../contract/schools';
import { addDays } from '../shared/calendar/dates';
import { todayInLondon } from '../shared/calendar/england';
import { PRODUCT } from '../shared/vocabulary/products';
import { SCHOOL_PROGRAMME, SCHOOL_PROGRAMMES } from '../shared/vocabulary/schools';
import { createSchoolHandlers } from './schools.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import {
  TWO_PRACTICES_SQL,
  call,
  dropRoles,
  nhsSequence,
  userConnections,
  value,
  type UserConnections,
} from '../../tests/support/fixtures';

const nhs = nhsSequence(999_705_000, 11);
const today = todayInLondon();

const SETUP = `${TWO_PRACTICES_SQL}
  INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES ('E06000035', 'Medway', 'QKS', 'Y59');
  INSERT INTO ims.school (urn, name, phase, la_code) VALUES ('136001', 'Hill Academy', 'SECONDARY', 'E06000035'),
                                                           ('136002', 'Vale School', 'SECONDARY', 'E06000035');`;

interface Child {
  year: number;
  school?: string;
  practice?: string;
  status?: string;
  contact?: 'sms' | 'email' | 'none';
}
const CHILDREN: Record<string, Child> = {
  ava: { year: 8, contact: 'sms' },
  ben: { year: 8, contact: 'email' },
  cal: { year: 9, contact: 'sms' },
  dan: { year: 8, school: '136002', contact: 'sms' },
  eve: { year: 8, status: 'DEREGISTERED', contact: 'sms' },
  fay: { year: 8, practice: 'G82002', contact: 'sms' },
  gus: { year: 8, contact: 'none' },
};

describe('school sessions', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const ids: Record<string, number> = {};
  const names = { nurse: uniqueName('sch_nurse'), other: uniqueName('sch_other'), coord: uniqueName('sch_coord') };
  let nurse: DataSource;
  let other: DataSource;
  let coord: DataSource;
  const handlers = (ds: DataSource) => createSchoolHandlers(ds, () => today);

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(SETUP);
    let n = 0;
    for (const [name, c] of Object.entries(CHILDREN)) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code, postcode, school_urn,
                                 year_group, registration_status)
         VALUES ($1, $2, 'Pupil', '2013-01-15', $3, 'E06000035', 'ME1 1AA', $4, $5, $6) RETURNING id`,
        [nhs(n++), name, c.practice ?? 'G82001', c.school ?? '136001', c.year, c.status ?? 'REGISTERED'],
      );
      ids[name] = Number(r.rows[0]!.id);
      if (c.contact !== 'none')
        await db.query(`INSERT INTO ims.contact_details (person_id, mobile, email, preferred_channel) VALUES ($1, $2, $3, $4)`, [
          ids[name],
          c.contact === 'sms' ? '07700900001' : null,
          c.contact === 'email' ? 'parent@example.org' : null,
          c.contact === 'sms' ? 'SMS' : 'EMAIL',
        ]);
    }
    connections = userConnections(db);
    nurse = await connections.open(await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'] }));
    other = await connections.open(await addUser(db.url, { name: names.other, role: 'child-health', orgs: ['G82002'] }));
    coord = await connections.open(await addUser(db.url, { name: names.coord, role: 'coordinator', orgs: ['QKS'] }));
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('holds the same programmes and year groups as the vocabulary', async () => {
    const r = await db.query<{ code: string; label: string; year_groups: number[]; vaccination_programme: string | null }>(
      `SELECT code, label, year_groups, vaccination_programme FROM ims.school_programme ORDER BY code`,
    );
    expect(r.rows).toEqual(
      [...SCHOOL_PROGRAMMES].sort().map((code) => ({
        code,
        label: SCHOOL_PROGRAMME[code].label,
        year_groups: [...SCHOOL_PROGRAMME[code].yearGroups],
        vaccination_programme: SCHOOL_PROGRAMME[code].vaccinationProgramme,
      })),
    );
  });

  let hpv: SchoolSessionDetail;

  it('lists the eligible children by school and year group, within scope, and asks each reachable parent for consent', async () => {
    hpv = await value<SchoolSessionDetail>(
      call(handlers(nurse), 'schools.sessions.plan', { schoolUrn: '136001', programme: 'HPV', date: today }),
    );
    const listed = hpv.children.map((c) => c.givenName).sort();
    // Not cal (Year 9), dan (another school), eve (deregistered), fay (outside the nurse's scope).
    expect(listed).toEqual(['ava', 'ben', 'gus']);
    expect(hpv.session).toMatchObject({ children: 3, consentGiven: 0, notReturned: 3 });
    expect(Object.fromEntries(hpv.children.map((c) => [c.givenName, c.requested]))).toEqual({ ava: true, ben: true, gus: false });
    const comms = await db.query(
      `SELECT person_id::int AS p, channel, campaign_id FROM ims.communication WHERE purpose = 'CONSENT_REQUEST' ORDER BY 1`,
    );
    expect(comms.rows).toEqual([
      { p: ids.ava, channel: 'SMS', campaign_id: null },
      { p: ids.ben, channel: 'EMAIL', campaign_id: null },
    ]);
    // The other team's child joins the list when they refresh it; nothing repeats.
    expect(await value(call(handlers(other), 'schools.sessions.refresh', { id: hpv.session.id }))).toEqual({ added: 1, requested: 1 });
    expect(await value(call(handlers(nurse), 'schools.sessions.refresh', { id: hpv.session.id }))).toEqual({ added: 0, requested: 0 });
    // Each child listed is an audited read.
    const views = await db.query(
      `SELECT DISTINCT person_id::int AS p FROM audit.record_view WHERE actor = $1 AND purpose = 'school session list' ORDER BY 1`,
      [names.nurse],
    );
    expect(views.rows.map((r) => r.p)).toEqual([ids.ava!, ids.ben!, ids.gus!].sort((a, b) => a - b));
  });

  it('records responses and the child’s own consent, and the expected numbers follow', async () => {
    const id = hpv.session.id;
    let d = await value<SchoolSessionDetail>(
      call(handlers(nurse), 'schools.consent.record', { sessionId: id, personId: ids.ava, response: 'GIVEN', respondent: 'Ann Pupil' }),
    );
    expect(d.session).toMatchObject({ consentGiven: 1, notReturned: 2 });
    d = await value<SchoolSessionDetail>(
      call(handlers(nurse), 'schools.consent.record', {
        sessionId: id,
        personId: ids.ben,
        response: 'REFUSED',
        refusalReason: 'PERSONAL_CHOICE',
        respondent: 'Bob Pupil',
      }),
    );
    expect(d.session).toMatchObject({ consentGiven: 1, consentRefused: 1, notReturned: 1 });
    // A refusal without its reason is refused at the boundary, field by field.
    const bad = await call(handlers(nurse), 'schools.consent.record', {
      sessionId: id,
      personId: ids.ben,
      response: 'REFUSED',
      respondent: 'Bob',
    });
    expect(bad.ok || bad.error.code).toBe('VALIDATION');
    // Ben is assessed as competent and consents himself: his decision stands over the refusal.
    d = await value<SchoolSessionDetail>(
      call(handlers(nurse), 'schools.gillick.record', {
        sessionId: id,
        personId: ids.ben,
        outcome: 'COMPETENT_CONSENTS',
        assessedBy: 'Nurse Jo Smith',
      }),
    );
    const ben = d.children.find((c) => c.personId === ids.ben)!;
    expect(ben).toMatchObject({
      response: 'REFUSED',
      gillickOutcome: 'COMPETENT_CONSENTS',
      gillickAssessedBy: 'Nurse Jo Smith',
      consent: 'GIVEN',
    });
    expect(d.session).toMatchObject({ consentGiven: 2, consentRefused: 0, notReturned: 1 });
    const audit = await db.query(
      `SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.school_session_child' AND actor = $1`,
      [names.nurse],
    );
    expect(audit.rows[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('reminds parents who have not returned consent once, however often it runs', async () => {
    const h = handlers(nurse);
    expect(await value(call(h, 'schools.reminders.run', { sessionId: hpv.session.id }))).toEqual({ created: 0 }); // ava and ben answered; gus had no request
    // Ava's parent withdraws her answer: not returned again, so a reminder is due.
    await value(call(h, 'schools.consent.record', { sessionId: hpv.session.id, personId: ids.ava, response: 'NOT_RETURNED' }));
    expect(await value(call(h, 'schools.reminders.run', { sessionId: hpv.session.id }))).toEqual({ created: 1 });
    expect(await value(call(h, 'schools.reminders.run', {}))).toEqual({ created: 0 });
    const r = await db.query(`SELECT person_id::int AS p FROM ims.communication WHERE purpose = 'CONSENT_REMINDER'`);
    expect(r.rows).toEqual([{ p: ids.ava }]);
  });

  it('records a vaccination as a vaccination event, and the other outcomes on the session', async () => {
    const h = handlers(nurse);
    const id = hpv.session.id;
    // No consent, no vaccination.
    const refused = await call(h, 'schools.outcome.record', {
      sessionId: id,
      personId: ids.ava,
      outcome: 'VACCINATED',
      productCode: PRODUCT.GARDASIL9,
      batchNumber: 'B1',
      expiryDate: addDays(today, 200),
    });
    expect(refused.ok || refused.error.code).toBe('VALIDATION');
    await db.query('DELETE FROM ims.series_status_stale');
    const d = await value<SchoolSessionDetail>(
      call(h, 'schools.outcome.record', {
        sessionId: id,
        personId: ids.ben,
        outcome: 'VACCINATED',
        productCode: PRODUCT.GARDASIL9,
        batchNumber: 'HPV123',
        expiryDate: addDays(today, 200),
      }),
    );
    const ben = d.children.find((c) => c.personId === ids.ben)!;
    expect(ben.outcome).toBe('VACCINATED');
    const ev = await db.query(
      `SELECT programme_code, outcome, product_code, batch_number, location_code, location_type, to_char(occurred_on, 'YYYY-MM-DD') AS on, recorded_by
         FROM ims.vaccination_event WHERE id = $1`,
      [ben.vaccinationEventId],
    );
    expect(ev.rows[0]).toEqual({
      programme_code: 'SCHOOL_AGED',
      outcome: 'GIVEN',
      product_code: PRODUCT.GARDASIL9,
      batch_number: 'HPV123',
      location_code: '136001',
      location_type: 'URN',
      on: today,
      recorded_by: names.nurse,
    });
    const stale = await db.query('SELECT person_id::int AS p FROM ims.series_status_stale');
    expect(stale.rows).toEqual([{ p: ids.ben }]);
    // Once vaccinated, the outcome stays (a mistake is corrected on the vaccination record).
    const again = await call(h, 'schools.outcome.record', { sessionId: id, personId: ids.ben, outcome: 'ABSENT' });
    expect(again.ok || again.error.code).toBe('VALIDATION');
    const after = await value<SchoolSessionDetail>(
      call(h, 'schools.outcome.record', { sessionId: id, personId: ids.gus, outcome: 'ABSENT' }),
    );
    expect(after.session).toMatchObject({ vaccinated: 1, outcomesRecorded: 2 });
    // On the child's record.
    const record = await value<{ outcome: string; response: string }[]>(call(h, 'schools.person', { personId: ids.ben }));
    expect(record).toMatchObject([{ programme: 'HPV', response: 'REFUSED', gillickOutcome: 'COMPETENT_CONSENTS', outcome: 'VACCINATED' }]);
  });

  it('prints the day’s lists', async () => {
    const pdf = await value<{ base64: string; fileName: string }>(call(handlers(nurse), 'schools.sessions.pdf', { id: hpv.session.id }));
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.fileName).toBe(`school-session-136001-hpv-${today}.pdf`);
  });

  it('refuses a role that does not run sessions, and a child outside the user’s scope', async () => {
    const byCoordinator = await call(handlers(coord), 'schools.sessions.plan', {
      schoolUrn: '136001',
      programme: 'MENACWY',
      date: addDays(today, 7),
    });
    expect(byCoordinator.ok || byCoordinator.error.code).toBe('FORBIDDEN');
    const list = await call(handlers(coord), 'schools.sessions.list', {});
    expect(list.ok || list.error.code).toBe('FORBIDDEN');
    // The other team sees only their own child on the list, and cannot touch the nurse's children.
    const seen = await value<SchoolSessionDetail>(call(handlers(other), 'schools.sessions.get', { id: hpv.session.id }));
    expect(seen.children.map((c) => c.givenName)).toEqual(['fay']);
    const touch = await call(handlers(other), 'schools.consent.record', {
      sessionId: hpv.session.id,
      personId: ids.gus,
      response: 'GIVEN',
      respondent: 'X',
    });
    expect(touch.ok || touch.error.code).toBe('NOT_FOUND');
    // Nor directly as the database role, with psql's privileges.
    await expect(other.query(`UPDATE ims.school_session_child SET response = 'GIVEN'`)).rejects.toThrow(/permission denied/);
    // A school with none of the user's children and outside their local authorities is not theirs.
    await db.query(`UPDATE ims.school SET la_code = NULL WHERE urn = '136002'`);
    const far = await call(handlers(other), 'schools.sessions.plan', { schoolUrn: '136002', programme: 'HPV', date: today });
    expect(far.ok || far.error.code).toBe('NOT_FOUND');
  });
});

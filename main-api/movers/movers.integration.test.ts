// Movers through the host's full set of user handlers, as real login roles: a child arriving
// from abroad with one 5-in-1 dose gets a plan that resumes the course; the plan and the
// printed documents are audited reads; a person out of scope and an analyst get nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { dispatch } from '../host/dispatch';
import { userHandlers } from '../host/host';
import type { Handlers } from '../contract/contract';
import type { CatchUpPlanView } from '../contract/movers';
import { extractPdfPages } from '../platform/pdf/pdf-text';
import { PRODUCT } from '../shared/vocabulary/products';
import { uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, nhsSequence, twoPracticeDatabase, type UserConnections } from '../../tests/support/fixtures';

const nhs = nhsSequence(999_310_000, 13);

describe('movers in and out', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let nurse: Handlers;
  let analyst: Handlers;
  let child: number;
  let outsider: number;

  const views = async (personId: number): Promise<string[]> =>
    (await db.query<{ purpose: string }>(`SELECT purpose FROM audit.record_view WHERE person_id = $1 ORDER BY id`, [personId])).rows.map(
      (r) => r.purpose,
    );

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    child = await addPerson(db, {
      nhsNumber: nhs(1),
      givenName: 'Ola',
      familyName: 'Nowak',
      dateOfBirth: '2023-01-10',
      postcode: 'ME14 1AA',
      practiceCode: 'G82001',
    });
    outsider = await addPerson(db, {
      nhsNumber: nhs(2),
      givenName: 'Jan',
      familyName: 'Kowalski',
      dateOfBirth: '2023-02-10',
      postcode: 'ME15 1AA',
      practiceCode: 'G82002',
    });
    const staff = await addUser(db.url, { name: uniqueName('nurse'), role: 'child-health', orgs: ['G82001'] });
    const reader = await addUser(db.url, { name: uniqueName('analyst'), role: 'analyst', orgs: ['G82001'] });
    nurse = userHandlers(await connections.open(staff)) as Handlers;
    analyst = userHandlers(await connections.open(reader)) as Handlers;
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  it('records the arrival and an overseas 5-in-1 dose, and plans the rest of the course from dose 2', async () => {
    const arrival = await dispatch(nurse, 'movers.arrival.set', {
      personId: child,
      arrivedOn: '2025-09-01',
      fromCountry: 'pl',
      fromArea: 'Gdańsk',
    });
    expect(arrival).toMatchObject({
      ok: true,
      value: { arrivedOn: '2025-09-01', fromCountry: 'PL', fromCountryName: 'Poland', fromArea: 'Gdańsk' },
    });

    const dose = await dispatch(nurse, 'vaccination.record', {
      personId: child,
      programmeCode: 'ROUTINE_CHILDHOOD',
      outcome: 'GIVEN',
      occurredOn: '2023-04-10',
      productCode: PRODUCT.DTAP_IPV_HIB,
      primarySource: false,
      reportedBy: { kind: 'OVERSEAS', name: 'Poland' },
    });
    expect(dose, JSON.stringify(dose)).toMatchObject({ ok: true, value: { reportedBy: { kind: 'OVERSEAS', name: 'Poland' } } });

    const r = await dispatch(nurse, 'movers.plan.get', { personId: child });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const plan = (r as { value: CatchUpPlanView }).value;
    expect(plan.arrival?.fromCountryName).toBe('Poland');
    // Resumed, never restarted: the overseas dose is the first of the three.
    expect(plan.visits[0]?.doses.map((d) => `${d.seriesId}:${d.dose}`)).toContain('SIX-IN-1:2');
    expect(plan.explanation.join('\n')).toContain('counts as a dose of 6-in-1');
    // Visits at least four weeks apart, each dose explained.
    for (let i = 1; i < plan.visits.length; i++)
      expect(Date.parse(plan.visits[i]!.date) - Date.parse(plan.visits[i - 1]!.date)).toBeGreaterThanOrEqual(28 * 86_400_000);
    for (const v of plan.visits) for (const d of v.doses) expect(d.why.length).toBeGreaterThan(0);
    // Reading the plan is a clinical read, in the audit with its purpose.
    expect(await views(child)).toContain('catch-up plan');
  });

  it('prints the plan and the transfer summary as PDFs that say what they are about, audited as prints', async () => {
    const before = (await views(child)).filter((p) => p === 'print').length;
    const plan = await dispatch(nurse, 'movers.plan.pdf', { personId: child });
    expect(plan.ok, JSON.stringify(plan)).toBe(true);
    const planDoc = (plan as { value: { fileName: string; base64: string } }).value;
    expect(planDoc.fileName).toMatch(/^catch-up-plan-Nowak-Ola-\d{10}-\d{4}-\d{2}-\d{2}\.pdf$/);
    const planText = extractPdfPages(Buffer.from(planDoc.base64, 'base64')).flat().join('\n').replace(/\s+/g, '');
    expect(planText).toContain('Catch-upvaccinationplan');
    expect(planText).toContain('Poland');
    expect(planText).toContain('6-in-1');

    const transfer = await dispatch(nurse, 'movers.transfer.pdf', { personId: child });
    expect(transfer.ok, JSON.stringify(transfer)).toBe(true);
    const transferDoc = (transfer as { value: { fileName: string; base64: string } }).value;
    expect(transferDoc.fileName).toMatch(/^transfer-summary-Nowak-Ola-/);
    const text = extractPdfPages(Buffer.from(transferDoc.base64, 'base64')).flat().join('\n').replace(/\s+/g, '');
    for (const words of [
      'Immunisationtransfersummary',
      'Schedulestatus',
      'Outstandingdoses',
      'Vaccinationsgiven',
      'Givenabroad',
      'Clinicalflags',
    ])
      expect(text).toContain(words);
    const after = await views(child);
    expect(after.filter((p) => p === 'print').length).toBe(before + 2);
    expect(after).toContain('transfer summary');
  });

  it('gives nothing about a person outside the scope, and audits nothing for them', async () => {
    for (const channel of ['movers.plan.get', 'movers.plan.pdf', 'movers.transfer.pdf'] as const)
      expect(await dispatch(nurse, channel, { personId: outsider })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const set = await dispatch(nurse, 'movers.arrival.set', {
      personId: outsider,
      arrivedOn: '2025-09-01',
      fromCountry: 'PL',
      fromArea: null,
    });
    expect(set).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await views(outsider)).toEqual([]);
    const stored = await db.query(`SELECT count(*)::int AS n FROM ims.person_arrival WHERE person_id = $1`, [outsider]);
    expect(stored.rows[0]!.n).toBe(0);
  });

  it('refuses an analyst: no plan, no arrival written', async () => {
    const plan = await dispatch(analyst, 'movers.plan.get', { personId: child });
    expect(plan.ok).toBe(false);
    const set = await dispatch(analyst, 'movers.arrival.set', {
      personId: child,
      arrivedOn: '2025-09-02',
      fromCountry: 'DE',
      fromArea: null,
    });
    expect(set).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const stored = await db.query(`SELECT from_country FROM ims.person_arrival WHERE person_id = $1`, [child]);
    expect(stored.rows[0]!.from_country).toBe('PL');
  });

  it('refuses an arrival without a place, in the future, before birth or from the UK, with the field at fault', async () => {
    const cases = [
      { input: { arrivedOn: '2025-09-01', fromCountry: null, fromArea: '  ' }, field: 'fromCountry' },
      { input: { arrivedOn: '2099-01-01', fromCountry: 'PL', fromArea: null }, field: 'arrivedOn' },
      { input: { arrivedOn: '2025-09-01', fromCountry: 'GB', fromArea: null }, field: 'fromCountry' },
      { input: { arrivedOn: '2025-09-01', fromCountry: 'QQ', fromArea: null }, field: 'fromCountry' },
    ];
    for (const c of cases) {
      const r = await dispatch(nurse, 'movers.arrival.set', { personId: child, ...c.input });
      expect(r, JSON.stringify(c)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(JSON.stringify(r)).toContain(c.field);
    }
    // Before the date of birth: the database's own check, in its words.
    const early = await dispatch(nurse, 'movers.arrival.set', {
      personId: child,
      arrivedOn: '2022-01-01',
      fromCountry: 'PL',
      fromArea: null,
    });
    expect(early).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: 'The arrival date must be between the date of birth and today.' },
    });
    // The change log keeps every arrival written, as for any clinical table.
    const log = await db.query(`SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.person_arrival'`);
    expect(log.rows[0]!.n).toBeGreaterThan(0);
  });
});

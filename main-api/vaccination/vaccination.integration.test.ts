// Vaccination records through the application's handlers, connected as scoped login roles,
// against the real database: recording, batches, idempotency, corrections, RLS, reactions.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../shared/vocabulary/products';
import { addUser } from '../administration/users.service';
import type { AdverseReaction, Batch, Product, VaccinationEvent, VaccinationHandlers, VaccinationHistory } from '../contract/vaccination';
import { createVaccinationHandlers } from './vaccination.service';
import { uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, call, nhsSequence, twoPracticeDatabase, value, withClient } from '../../tests/support/fixtures';
import type { LoginUser, UserConnections } from '../../tests/support/fixtures';

const TODAY = '2025-10-15';

const nhs = nhsSequence(999_100_000, 13);

describe('vaccination records', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const users: Record<string, LoginUser> = {};
  let nurse: VaccinationHandlers; // child health, scoped to practice G82001
  let other: VaccinationHandlers; // coordinator, scoped to practice G82002
  let analyst: VaccinationHandlers; // analyst, whole region
  let alpha: number; // registered at G82001, born 2024-01-10
  let beta: number; // registered at G82002

  async function handlersFor(user: LoginUser): Promise<VaccinationHandlers> {
    return createVaccinationHandlers(await connections.open(user), () => TODAY);
  }

  async function asUser<R extends pg.QueryResultRow>(user: LoginUser, sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return withClient(db.urlAs(user.name, user.password), (c) => c.query<R>(sql, params));
  }

  /** What a client that skips the service can do: call the database's recording function itself. */
  function recordAs(user: LoginUser, row: Record<string, unknown>): Promise<pg.QueryResult> {
    return asUser(user, `SELECT api.record_vaccination($1::jsonb)`, [JSON.stringify(row)]);
  }

  beforeAll(async () => {
    ({ db, connections } = await twoPracticeDatabase());
    const insert = (n: number, givenName: string, dateOfBirth: string, practiceCode: string): Promise<number> =>
      addPerson(db, { nhsNumber: nhs(n), givenName, familyName: 'Testcase', dateOfBirth, practiceCode });
    alpha = await insert(1, 'Alpha', '2024-01-10', 'G82001');
    beta = await insert(2, 'Beta', '2023-05-20', 'G82002');
    users.nurse = await addUser(db.url, { name: uniqueName('nurse'), role: 'child-health', orgs: ['G82001'] });
    users.other = await addUser(db.url, { name: uniqueName('coord'), role: 'coordinator', orgs: ['G82002'] });
    users.analyst = await addUser(db.url, { name: uniqueName('analyst'), role: 'analyst', orgs: ['Y59'] });
    nurse = await handlersFor(users.nurse);
    other = await handlersFor(users.other);
    analyst = await handlersFor(users.analyst);
  });

  afterAll(async () => {
    await connections.closeAll();
    await db.drop();
  });

  describe('products and batches', () => {
    it('lists programmes, ongoing ones first then campaigns newest first', async () => {
      const list = await value<{ code: string }[]>(call(nurse, 'programme.list', {}));
      expect(list.map((p) => p.code)).toEqual([
        'ADULT',
        'STAFF',
        'ROUTINE_CHILDHOOD',
        'SCHOOL_AGED',
        'COVID19_AUTUMN_2026',
        'FLU_2026_27',
        'COVID19_SPRING_2026',
        'COVID19_AUTUMN_2025',
        'FLU_2025_26',
      ]);
    });

    it('lists products with their antigens, default route and dose', async () => {
      const products = await value<Product[]>(call(nurse, 'product.list', {}));
      const mmrv = products.find((p) => p.code === PRODUCT.PRIORIX_TETRA);
      expect(mmrv?.antigens.map((a) => a.code)).toEqual(['MEASLES', 'MUMPS', 'RUBELLA', 'VARICELLA']);
      expect(mmrv?.procedures.map((p) => [p.appliesTo, p.code])).toEqual([
        ['DOSE_1', '432636005'],
        ['DOSE_2', '433733003'],
      ]);
      const fluenz = products.find((p) => p.code === PRODUCT.FLUENZ);
      expect(fluenz).toMatchObject({
        codeStatus: 'CONFIRMED',
        defaultRoute: { code: '46713006' },
        defaultDoseAmount: 0.2,
        doseUnit: { code: '258773002' },
      });
      const hexa = products.find((p) => p.code === PRODUCT.INFANRIX_HEXA);
      expect(hexa?.antigens.map((a) => a.code)).toEqual(['DIPHTHERIA', 'HEPB', 'HIB', 'PERTUSSIS', 'POLIO', 'TETANUS']);
      // Every antigen the schedule engine uses exists, and every product protects against something.
      const antigens = await db.query(`SELECT code FROM ims.antigen ORDER BY code`);
      expect(antigens.rows).toHaveLength(22);
      const orphan = await db.query(
        `SELECT code FROM ims.vaccine_product p WHERE NOT EXISTS (SELECT 1 FROM ims.product_antigen a WHERE a.product_code = p.code)`,
      );
      expect(orphan.rows).toEqual([]);
    });

    it('adds batches, refuses duplicates and expired stock, and lists expired ones last', async () => {
      const a = await value<Batch>(
        call(nurse, 'batch.add', {
          productCode: PRODUCT.MMRVAXPRO,
          batchNumber: ' ab1234 ',
          expiryDate: '2026-03-31',
          organisationCode: 'G82001',
        }),
      );
      expect(a).toMatchObject({ batchNumber: 'AB1234', expiryDate: '2026-03-31', expired: false, organisationCode: 'G82001' });
      await value<Batch>(call(nurse, 'batch.add', { productCode: PRODUCT.MMRVAXPRO, batchNumber: 'AB9999', expiryDate: '2025-12-01' }));
      const dup = await call(nurse, 'batch.add', { productCode: PRODUCT.MMRVAXPRO, batchNumber: 'AB1234', expiryDate: '2026-04-30' });
      expect(dup).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      const expired = await call(nurse, 'batch.add', { productCode: PRODUCT.MMRVAXPRO, batchNumber: 'OLD1', expiryDate: '2025-10-14' });
      expect(expired).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      // An old batch the owner loaded from stock records.
      await db.query(`INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'OLD0', '2025-01-31')`, [
        PRODUCT.MMRVAXPRO,
      ]);
      const list = await value<Batch[]>(call(nurse, 'batch.list', { productCode: PRODUCT.MMRVAXPRO }));
      expect(list.map((b) => [b.batchNumber, b.expired])).toEqual([
        ['AB9999', false],
        ['AB1234', false],
        ['OLD0', true],
      ]);
      const asOf = await value<Batch[]>(call(nurse, 'batch.list', { productCode: PRODUCT.MMRVAXPRO, onDate: '2025-12-02' }));
      expect(asOf.find((b) => b.batchNumber === 'AB9999')?.expired).toBe(true);
      expect(await call(nurse, 'batch.list', { productCode: 'LOCAL-NOPE' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      // Analysts read only.
      expect(
        await call(analyst, 'batch.add', { productCode: PRODUCT.MMRVAXPRO, batchNumber: 'AN1', expiryDate: '2026-01-01' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    });
  });

  describe('recording', () => {
    it('records a dose given from a known batch, with product defaults and the recorder', async () => {
      const batch = (await db.query(`SELECT id FROM ims.batch WHERE batch_number = 'AB1234'`)).rows[0]!;
      const e = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          personId: alpha,
          programmeCode: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurredAt: '2025-10-14T09:30:00+01:00',
          doseSequence: 1,
          productCode: PRODUCT.MMRVAXPRO,
          batch: { id: Number(batch.id) },
          site: { code: '61396006', term: 'Left thigh' },
          performer: { name: 'Jo Nurse', role: 'Registered nurse' },
          location: { code: 'G82001', type: 'ODS' },
          organisationCode: 'G82001',
          legalBasis: 'PGD',
        }),
      );
      expect(e).toMatchObject({
        personId: alpha,
        outcome: 'GIVEN',
        occurredOn: '2025-10-14',
        occurredAt: '2025-10-14T08:30:00.000Z',
        product: { code: PRODUCT.MMRVAXPRO, shortName: 'MMRvaxPRO' },
        antigens: ['MEASLES', 'MUMPS', 'RUBELLA'],
        batchNumber: 'AB1234',
        expiryDate: '2026-03-31',
        route: { code: '78421000', term: 'Intramuscular route' },
        doseAmount: 0.5,
        doseUnit: { code: '258773002' },
        primarySource: true,
        sourceSystem: 'IMS',
        recordedBy: users.nurse!.name,
        status: 'ACTIVE',
      });
      expect(e.sourceId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('adds a typed batch that is new for the product when its expiry is given, and asks for the expiry otherwise', async () => {
      const base = {
        personId: alpha,
        programmeCode: 'SEASONAL_FLU',
        outcome: 'GIVEN',
        occurredOn: '2025-10-14',
        productCode: PRODUCT.FLUENZ,
      };
      const noExpiry = await call(nurse, 'vaccination.record', { ...base, programmeCode: 'FLU_2025_26', batch: { batchNumber: 'FLZ001' } });
      expect(noExpiry).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'batch', reason: 'unknown-batch' }] } },
      });
      const e = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          ...base,
          programmeCode: 'FLU_2025_26',
          batch: { batchNumber: 'flz001', expiryDate: '2026-02-10' },
        }),
      );
      expect(e).toMatchObject({ batchNumber: 'FLZ001', expiryDate: '2026-02-10', route: { code: '46713006' }, doseAmount: 0.2 });
      const b = await db.query(`SELECT id, created_by FROM ims.batch WHERE product_code = $1 AND batch_number = 'FLZ001'`, [
        PRODUCT.FLUENZ,
      ]);
      expect(b.rows).toHaveLength(1);
      expect(Number(b.rows[0]!.id)).toBe(e.batchId);
      expect(b.rows[0]!.created_by).toBe(users.nurse!.name);
      // A typed expiry that contradicts the known batch is caught.
      const wrong = await call(nurse, 'vaccination.record', {
        ...base,
        programmeCode: 'FLU_2025_26',
        batch: { batchNumber: 'FLZ001', expiryDate: '2026-02-11' },
      });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(!wrong.ok && wrong.error.message).toMatch(/recorded as expiring on 10 February 2026/);
      // Unknown programme.
      expect(await call(nurse, 'vaccination.record', { ...base, batch: { batchNumber: 'FLZ001' } })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'programmeCode' }] } },
      });
    });

    it('refuses an expired batch, naming the expiry, in the service and in the database', async () => {
      const r = await call(nurse, 'vaccination.record', {
        personId: alpha,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurredOn: '2025-10-14',
        productCode: PRODUCT.MMRVAXPRO,
        batch: { batchNumber: 'OLD0' },
      });
      expect(r).toMatchObject({
        ok: false,
        error: {
          code: 'VALIDATION',
          details: { kind: 'fields', fields: [{ field: 'batch', message: expect.stringContaining('31 January 2025') }] },
        },
      });
      expect(!r.ok && r.error.message).toMatch(/^Batch OLD0 expired on 31 January 2025/);
      // The database refuses it even from a client that skips the service.
      await expect(
        recordAs(users.nurse!, {
          person_id: alpha,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurred_on: '2025-10-14',
          product_code: PRODUCT.MMRVAXPRO,
          batch_number: 'X1',
          expiry_date: '2025-10-13',
          primary_source: true,
        }),
      ).rejects.toMatchObject({ code: '23514' });
      // And a batch's own expiry wins over one typed alongside its id.
      const old = (await db.query(`SELECT id FROM ims.batch WHERE batch_number = 'OLD0'`)).rows[0]!;
      await expect(
        recordAs(users.nurse!, {
          person_id: alpha,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurred_on: '2025-01-10',
          product_code: PRODUCT.MMRVAXPRO,
          batch_id: old.id,
          expiry_date: '2026-01-01',
          primary_source: true,
        }),
      ).rejects.toThrow(/does not match batch OLD0/);
    });

    it('refuses a batch expiring 9999-12-31, naming the field, in the service and in the database', async () => {
      const added = await call(nurse, 'batch.add', { productCode: PRODUCT.MMRVAXPRO, batchNumber: 'FAR1', expiryDate: '9999-12-31' });
      expect(added).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { fields: [{ field: 'expiryDate' }] } } });
      expect(!added.ok && added.error.message).toMatch(/more than 5 years after the day it is added \(15 October 2025\)/);
      const typed = await call(nurse, 'vaccination.record', {
        personId: alpha,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurredOn: '2025-10-14',
        productCode: PRODUCT.MMRVAXPRO,
        batch: { batchNumber: 'FAR2', expiryDate: '2030-10-15' },
      });
      expect(typed).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { fields: [{ field: 'batch.expiryDate' }] } } });
      // Reported from elsewhere, where the batch is kept as written there: the same rule.
      const reported = await call(nurse, 'vaccination.record', {
        personId: alpha,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurredOn: '2025-01-14',
        productCode: PRODUCT.MMRVAXPRO,
        primarySource: false,
        reportedBy: { kind: 'GP' },
        batch: { batchNumber: 'FAR3', expiryDate: '9999-12-31' },
      });
      expect(reported).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { fields: [{ field: 'batch.expiryDate' }] } } });
      expect((await db.query(`SELECT count(*)::int AS n FROM ims.batch WHERE batch_number LIKE 'FAR%'`)).rows[0]!.n).toBe(0);

      // The database refuses both from a client that skips the service, and accepts 5 years to the day.
      await expect(
        asUser(users.nurse!, `INSERT INTO ims.batch (product_code, batch_number, expiry_date) VALUES ($1, 'FAR4', '9999-12-31')`, [
          PRODUCT.MMRVAXPRO,
        ]),
      ).rejects.toMatchObject({ code: '23514', constraint: 'batch_expiry_plausible' });
      const row = {
        person_id: alpha,
        programme_code: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurred_on: '2025-01-14',
        product_code: PRODUCT.MMRVAXPRO,
        primary_source: false,
        reported_by: 'GP',
        batch_number: 'FAR5',
      };
      await expect(recordAs(users.nurse!, { ...row, expiry_date: '2030-01-15' })).rejects.toMatchObject({
        code: '23514',
        constraint: 'vaccination_event_expiry_plausible',
      });
      await withClient(db.urlAs(users.nurse!.name, users.nurse!.password), async (c) => {
        await c.query('BEGIN');
        await c.query(`SELECT api.record_vaccination($1::jsonb)`, [JSON.stringify({ ...row, expiry_date: '2030-01-14' })]);
        await c.query('ROLLBACK');
      });
    });

    it('records a vaccination not given, which needs a reason', async () => {
      const base = {
        personId: alpha,
        programmeCode: 'FLU_2025_26',
        outcome: 'NOT_GIVEN',
        occurredOn: '2025-10-13',
        productCode: PRODUCT.FLUENZ,
      };
      const missing = await call(nurse, 'vaccination.record', base);
      expect(missing).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'notGivenReason' }] } },
      });
      const e = await value<VaccinationEvent>(call(nurse, 'vaccination.record', { ...base, notGivenReason: 'UNWELL' }));
      expect(e).toMatchObject({ outcome: 'NOT_GIVEN', notGivenReason: 'UNWELL', batchNumber: null, route: null, antigens: [] });
      // The database holds the same rule.
      await expect(db.query(`UPDATE ims.vaccination_event SET not_given_reason = NULL WHERE id = $1`, [e.id])).rejects.toThrow(
        /cannot be edited/,
      );
      await expect(
        db.query(
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, primary_source) VALUES ($1, 'FLU_2025_26', 'NOT_GIVEN', '2025-10-13', true)`,
          [alpha],
        ),
      ).rejects.toMatchObject({ code: '23514' });
    });

    it('refuses dates in the future or before birth', async () => {
      const base = { personId: alpha, programmeCode: 'ROUTINE_CHILDHOOD', outcome: 'NOT_GIVEN', notGivenReason: 'ABSENT' };
      expect(await call(nurse, 'vaccination.record', { ...base, occurredOn: '2025-10-16' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
      expect(await call(nurse, 'vaccination.record', { ...base, occurredOn: '2024-01-09' })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    });

    it('records an event from another system once: the same source identity again is a CONFLICT', async () => {
      const input = {
        personId: alpha,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'GIVEN',
        occurredOn: '2024-03-06',
        doseSequence: 1,
        productCode: PRODUCT.INFANRIX_HEXA,
        batch: { batchNumber: 'A21CB123B' },
        primarySource: false,
        reportedBy: { kind: 'OTHER_PROVIDER', name: 'Supplier' },
        source: { system: 'https://supplier.example/vaccinations', id: 'evt-0001' },
      };
      const first = await value<VaccinationEvent>(call(nurse, 'vaccination.record', input));
      expect(first).toMatchObject({
        primarySource: false,
        batchId: null,
        batchNumber: 'A21CB123B',
        expiryDate: null,
        sourceId: 'evt-0001',
      });
      const again = await call(nurse, 'vaccination.record', { ...input, occurredOn: '2024-03-07' });
      expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT', details: { kind: 'conflict', id: first.id } } });
      const n = await db.query(`SELECT count(*)::int AS n FROM ims.vaccination_event WHERE source_id = 'evt-0001'`);
      expect(n.rows[0]!.n).toBe(1);
      // Reported batches are not added to local stock.
      const stock = await db.query(`SELECT count(*)::int AS n FROM ims.batch WHERE batch_number = 'A21CB123B'`);
      expect(stock.rows[0]!.n).toBe(0);
      // The database's unique index holds even without the service's check.
      await expect(
        recordAs(users.nurse!, {
          person_id: alpha,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurred_on: '2024-03-06',
          product_code: PRODUCT.INFANRIX_HEXA,
          primary_source: false,
          source_system: 'https://supplier.example/vaccinations',
          source_id: 'evt-0001',
        }),
      ).rejects.toMatchObject({ code: '23505', constraint: 'vaccination_event_source_key' });
    });
  });

  describe('who reported, gave or offered', () => {
    // A function: the person exists only once beforeAll has run.
    const reportedDose = () => ({
      personId: alpha,
      programmeCode: 'ROUTINE_CHILDHOOD',
      outcome: 'GIVEN',
      occurredOn: '2024-05-08',
      doseSequence: 2,
      productCode: PRODUCT.INFANRIX_HEXA,
      primarySource: false,
    });

    it('records who reported a dose given elsewhere, and no one as its vaccinator unless the report names them', async () => {
      const e = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', { ...reportedDose(), reportedBy: { kind: 'PARENT_HELD_RECORD' } }),
      );
      expect(e).toMatchObject({ primarySource: false, reportedBy: { kind: 'PARENT_HELD_RECORD', name: null }, performer: null });
      const gp = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          ...reportedDose(),
          occurredOn: '2024-06-05',
          doseSequence: 3,
          reportedBy: { kind: 'GP', name: 'Marston Surgery' },
          performer: { name: 'Dr A Practice' },
        }),
      );
      expect(gp).toMatchObject({ reportedBy: { kind: 'GP', name: 'Marston Surgery' }, performer: { name: 'Dr A Practice', role: null } });
      const stored = await db.query(`SELECT reported_by, reported_by_name FROM ims.vaccination_event WHERE id = $1`, [gp.id]);
      expect(stored.rows[0]).toEqual({ reported_by: 'GP', reported_by_name: 'Marston Surgery' });
    });

    it('refuses a reported dose without a reporter, and a reporter on a dose given here, in the service and in the database', async () => {
      expect(await call(nurse, 'vaccination.record', reportedDose())).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'reportedBy' }] } },
      });
      expect(
        await call(nurse, 'vaccination.record', {
          ...reportedDose(),
          primarySource: true,
          batch: { batchNumber: 'AB1234' },
          reportedBy: { kind: 'GP', name: null },
        }),
      ).toMatchObject({ ok: false, error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'reportedBy' }] } } });
      const insert = (primary: boolean, kind: string | null, name: string | null) =>
        recordAs(users.nurse!, {
          person_id: alpha,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'NOT_GIVEN',
          not_given_reason: 'DECLINED',
          occurred_on: '2024-03-06',
          primary_source: primary,
          reported_by: kind,
          reported_by_name: name,
        });
      await expect(insert(true, 'GP', null)).rejects.toMatchObject({
        code: '23514',
        constraint: 'vaccination_event_reporter_only_reported',
      });
      await expect(insert(false, 'NEIGHBOUR', null)).rejects.toMatchObject({
        code: '23514',
        constraint: 'vaccination_event_reported_by_check',
      });
      await expect(insert(false, null, 'Marston Surgery')).rejects.toMatchObject({
        code: '23514',
        constraint: 'vaccination_event_reporter_name_has_kind',
      });
    });
  });

  describe('corrections and history', () => {
    let original: VaccinationEvent;

    it('corrects by superseding: a new row, the old one kept as SUPERSEDED, both audited', async () => {
      original = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          personId: alpha,
          programmeCode: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurredOn: '2025-01-12',
          doseSequence: 1,
          productCode: PRODUCT.PRIORIX_TETRA,
          batch: { batchNumber: 'PT0001', expiryDate: '2025-06-30' },
          site: { code: '368208006', term: 'Left upper arm structure' },
        }),
      );
      const corrected = await value<VaccinationEvent>(
        call(nurse, 'vaccination.correct', {
          eventId: original.id,
          changes: { site: { code: '61396006', term: 'Left thigh' } },
          reason: 'Given in the thigh, not the arm',
        }),
      );
      expect(corrected).toMatchObject({
        status: 'ACTIVE',
        supersedesId: original.id,
        changeReason: 'Given in the thigh, not the arm',
        site: { code: '61396006' },
        // Everything not changed carries over, including the batch and the event's identity.
        batchNumber: 'PT0001',
        expiryDate: '2025-06-30',
        occurredOn: '2025-01-12',
        sourceSystem: original.sourceSystem,
        sourceId: original.sourceId,
        antigens: ['MEASLES', 'MUMPS', 'RUBELLA', 'VARICELLA'],
      });
      expect(corrected.id).not.toBe(original.id);

      const history = await value<VaccinationHistory>(call(nurse, 'vaccination.history', { personId: alpha }));
      const mine = history.events.filter((e) => e.id === original.id || e.id === corrected.id);
      expect(mine.map((e) => [e.id, e.status])).toEqual([
        [corrected.id, 'ACTIVE'],
        [original.id, 'SUPERSEDED'],
      ]);
      expect(mine[1]).toMatchObject({ supersededById: corrected.id, statusChangedBy: users.nurse!.name, site: { code: '368208006' } });
      // Newest clinical date first across the whole history.
      const dates = history.events.map((e) => e.occurredOn);
      expect(dates).toEqual([...dates].sort().reverse());

      const audit = await db.query<{ operation: string; row_id: string; actor: string; person_id: string }>(
        `SELECT operation, row_id, actor, person_id FROM audit.change_log
         WHERE table_name = 'ims.vaccination_event' AND row_id IN ($1, $2) ORDER BY id`,
        [String(original.id), String(corrected.id)],
      );
      expect(audit.rows.map((r) => [r.operation, Number(r.row_id)])).toEqual([
        ['INSERT', original.id],
        ['UPDATE', original.id],
        ['INSERT', corrected.id],
      ]);
      expect(audit.rows.every((r) => r.actor === users.nurse!.name && Number(r.person_id) === alpha)).toBe(true);
    });

    it('refuses a second correction of the superseded row, and an empty correction', async () => {
      const again = await call(nurse, 'vaccination.correct', { eventId: original.id, changes: { doseSequence: 2 }, reason: 'x' });
      expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
      const history = await value<VaccinationHistory>(call(nurse, 'vaccination.history', { personId: alpha }));
      const current = history.events.find((e) => e.supersedesId === original.id)!;
      const nothing = await call(nurse, 'vaccination.correct', { eventId: current.id, changes: { doseSequence: 1 }, reason: 'no-op' });
      expect(nothing).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    });

    it('corrects the product and date, re-checking the batch against the new date', async () => {
      const history = await value<VaccinationHistory>(call(nurse, 'vaccination.history', { personId: alpha }));
      const current = history.events.find((e) => e.supersedesId === original.id)!;
      // The batch PT0001 expired on 2025-06-30: moving the date past it is refused.
      const late = await call(nurse, 'vaccination.correct', {
        eventId: current.id,
        changes: { occurredOn: '2025-07-01' },
        reason: 'date typo',
      });
      expect(late).toMatchObject({
        ok: false,
        error: {
          code: 'VALIDATION',
          details: { kind: 'fields', fields: [{ field: 'batch', message: expect.stringContaining('30 June 2025') }] },
        },
      });
      // A different product needs its own batch.
      const noBatch = await call(nurse, 'vaccination.correct', {
        eventId: current.id,
        changes: { productCode: PRODUCT.MMRVAXPRO },
        reason: 'wrong product',
      });
      expect(noBatch).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'batch' }] } },
      });
      const fixed = await value<VaccinationEvent>(
        call(nurse, 'vaccination.correct', {
          eventId: current.id,
          changes: { productCode: PRODUCT.MMRVAXPRO, batch: { batchNumber: 'AB9999' } },
          reason: 'MMR was given, not MMRV',
        }),
      );
      expect(fixed).toMatchObject({
        product: { code: PRODUCT.MMRVAXPRO },
        antigens: ['MEASLES', 'MUMPS', 'RUBELLA'],
        batchNumber: 'AB9999',
        supersedesId: current.id,
      });
    });

    it('marks an event entered in error, once, keeping the row', async () => {
      const e = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          personId: alpha,
          programmeCode: 'ROUTINE_CHILDHOOD',
          outcome: 'NOT_GIVEN',
          notGivenReason: 'DECLINED',
          occurredOn: '2025-10-01',
        }),
      );
      const marked = await value<VaccinationEvent>(call(nurse, 'vaccination.markEnteredInError', { eventId: e.id, reason: 'Wrong child' }));
      expect(marked).toMatchObject({
        id: e.id,
        status: 'ENTERED_IN_ERROR',
        statusReason: 'Wrong child',
        statusChangedBy: users.nurse!.name,
      });
      expect(await call(nurse, 'vaccination.markEnteredInError', { eventId: e.id, reason: 'again' })).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT' },
      });
      expect(await call(nurse, 'vaccination.correct', { eventId: e.id, changes: { notGivenReason: 'ABSENT' }, reason: 'x' })).toMatchObject(
        {
          ok: false,
          error: { code: 'CONFLICT' },
        },
      );
      const audit = await db.query(
        `SELECT old_row->>'status' AS before, new_row->>'status' AS after FROM audit.change_log
                                    WHERE table_name = 'ims.vaccination_event' AND row_id = $1 AND operation = 'UPDATE'`,
        [String(e.id)],
      );
      expect(audit.rows).toEqual([{ before: 'ACTIVE', after: 'ENTERED_IN_ERROR' }]);
    });

    it('never deletes or edits recorded facts, not even as the owner', async () => {
      await expect(db.query(`DELETE FROM ims.vaccination_event WHERE id = $1`, [original.id])).rejects.toThrow(/never deleted/);
      await expect(db.query(`UPDATE ims.vaccination_event SET batch_number = 'ZZZ' WHERE id = $1`, [original.id])).rejects.toThrow(
        /cannot be edited/,
      );
      await expect(db.query(`UPDATE ims.vaccination_event SET status = 'ACTIVE' WHERE id = $1`, [original.id])).rejects.toThrow(
        /already superseded/,
      );
      // Application users hold no DELETE or general UPDATE privilege.
      await expect(asUser(users.nurse!, `DELETE FROM ims.vaccination_event WHERE id = $1`, [original.id])).rejects.toMatchObject({
        code: '42501',
      });
      await expect(asUser(users.nurse!, `UPDATE ims.vaccination_event SET notes = 'x' WHERE id = $1`, [original.id])).rejects.toMatchObject(
        { code: '42501' },
      );
    });
  });

  describe('access by scope', () => {
    it("hides another practice's events and refuses writes for its persons", async () => {
      expect(await call(other, 'vaccination.history', { personId: alpha })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const rec = await call(other, 'vaccination.record', {
        personId: alpha,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'NOT_GIVEN',
        notGivenReason: 'ABSENT',
        occurredOn: '2025-10-01',
      });
      expect(rec).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      const seen = await asUser(users.other!, `SELECT count(*)::int AS n FROM api.person_vaccinations($1, 'test')`, [alpha]);
      expect(seen.rows[0]!.n).toBe(0);
      // Straight SQL bypassing the service is refused: no privilege on the table, and the
      // recording function applies the same scope.
      await expect(
        recordAs(users.other!, {
          person_id: alpha,
          programme_code: 'ROUTINE_CHILDHOOD',
          outcome: 'NOT_GIVEN',
          not_given_reason: 'ABSENT',
          occurred_on: '2025-10-01',
          primary_source: true,
        }),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(
        asUser(
          users.other!,
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, not_given_reason, occurred_on, primary_source)
           VALUES ($1, 'ROUTINE_CHILDHOOD', 'NOT_GIVEN', 'ABSENT', '2025-10-01', true)`,
          [alpha],
        ),
      ).rejects.toMatchObject({ code: '42501' });
      const anyEvent = (await db.query(`SELECT id FROM ims.vaccination_event WHERE person_id = $1 AND status = 'ACTIVE' LIMIT 1`, [alpha]))
        .rows[0]!;
      expect(await call(other, 'vaccination.markEnteredInError', { eventId: Number(anyEvent.id), reason: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
      // Their own persons work as normal.
      const own = await value<VaccinationEvent>(
        call(other, 'vaccination.record', {
          personId: beta,
          programmeCode: 'ROUTINE_CHILDHOOD',
          outcome: 'NOT_GIVEN',
          notGivenReason: 'ABSENT',
          occurredOn: '2025-10-01',
        }),
      );
      expect(own.personId).toBe(beta);
      expect(await call(nurse, 'vaccination.history', { personId: beta })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    });

    it('gives an analyst, who reads aggregates only, neither the history nor a write', async () => {
      expect(await call(analyst, 'vaccination.history', { personId: alpha })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const r = await call(analyst, 'vaccination.record', {
        personId: alpha,
        programmeCode: 'ROUTINE_CHILDHOOD',
        outcome: 'NOT_GIVEN',
        notGivenReason: 'ABSENT',
        occurredOn: '2025-10-01',
      });
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const anyEvent = (await db.query(`SELECT id FROM ims.vaccination_event WHERE person_id = $1 AND status = 'ACTIVE' LIMIT 1`, [alpha]))
        .rows[0]!;
      expect(await call(analyst, 'vaccination.markEnteredInError', { eventId: Number(anyEvent.id), reason: 'x' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
    });
  });

  describe('adverse reactions', () => {
    it('records a reaction against a given dose and shows it in the history', async () => {
      const given = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          personId: alpha,
          programmeCode: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurredAt: '2025-10-15T10:00:00+01:00',
          productCode: PRODUCT.MMRVAXPRO,
          batch: { batchNumber: 'AB1234' },
        }),
      );
      const reaction = await value<AdverseReaction>(
        call(nurse, 'reaction.record', {
          eventId: given.id,
          onsetAt: '2025-10-15T10:07:00+01:00',
          reactionCode: 'SYNCOPE',
          seriousness: 'NOT_SERIOUS',
          outcome: 'RECOVERED',
          reporter: 'Jo Nurse',
          reportedToMhra: true,
          yellowCardReference: 'YC-2025-0001',
        }),
      );
      expect(reaction).toMatchObject({
        eventId: given.id,
        personId: alpha,
        reactionCode: 'SYNCOPE',
        onsetAt: '2025-10-15T09:07:00.000Z',
        recordedBy: users.nurse!.name,
      });
      const h = await value<VaccinationHistory>(call(nurse, 'vaccination.history', { personId: alpha }));
      expect(h.reactions.map((r) => r.id)).toEqual([reaction.id]);
      const audit = await db.query(
        `SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.adverse_reaction' AND row_id = $1`,
        [String(reaction.id)],
      );
      expect(audit.rows[0]!.n).toBe(1);

      const before = await call(nurse, 'reaction.record', {
        eventId: given.id,
        onsetAt: '2025-10-15T08:00:00Z',
        reactionCode: 'FEVER',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        reporter: 'Parent',
      });
      expect(before).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'onsetAt' }] } },
      });
      expect(
        await call(other, 'reaction.record', {
          eventId: given.id,
          onsetAt: '2025-10-15T12:00:00Z',
          reactionCode: 'FEVER',
          seriousness: 'NOT_SERIOUS',
          outcome: 'RECOVERED',
          reporter: 'x',
        }),
      ).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND' },
      });
    });

    it('refuses a reaction whose onset is in the future, in the service and in the database', async () => {
      const given = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          personId: alpha,
          programmeCode: 'ROUTINE_CHILDHOOD',
          outcome: 'GIVEN',
          occurredOn: '2025-10-01',
          productCode: PRODUCT.MMRVAXPRO,
          batch: { batchNumber: 'AB1234' },
        }),
      );
      const reaction = {
        eventId: given.id,
        reactionCode: 'FEVER',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        reporter: 'Parent',
      };
      // Today is TODAY for the service: the next day is in the future.
      expect(await call(nurse, 'reaction.record', { ...reaction, onsetAt: '2025-10-16T09:00:00+01:00' })).toMatchObject({
        ok: false,
        error: {
          code: 'VALIDATION',
          details: { kind: 'fields', fields: [{ field: 'onsetAt', message: expect.stringContaining('future') }] },
        },
      });
      await expect(
        asUser(
          users.nurse!,
          `SELECT * FROM api.record_reaction(jsonb_build_object('person_id', $1::bigint, 'vaccination_event_id', $2::bigint,
             'onset_at', now() + interval '1 hour', 'reaction_code', 'FEVER', 'seriousness', 'NOT_SERIOUS', 'outcome', 'RECOVERED', 'reporter', 'x'))`,
          [alpha, given.id],
        ),
      ).rejects.toMatchObject({ code: '23514', constraint: 'adverse_reaction_onset_not_future' });
    });

    it('refuses reactions on a dose not given, and a reaction filed under another person', async () => {
      const notGiven = await value<VaccinationEvent>(
        call(nurse, 'vaccination.record', {
          personId: alpha,
          programmeCode: 'FLU_2025_26',
          outcome: 'NOT_GIVEN',
          notGivenReason: 'DECLINED',
          occurredOn: '2025-10-02',
        }),
      );
      const r = await call(nurse, 'reaction.record', {
        eventId: notGiven.id,
        onsetAt: '2025-10-02T12:00:00Z',
        reactionCode: 'RASH',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        reporter: 'Parent',
      });
      expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      const given = (await db.query(`SELECT id FROM ims.vaccination_event WHERE person_id = $1 AND outcome = 'GIVEN' LIMIT 1`, [alpha]))
        .rows[0]!;
      await expect(
        db.query(
          `INSERT INTO ims.adverse_reaction (person_id, vaccination_event_id, onset_at, reaction_code, seriousness, outcome, reporter)
           VALUES ($1, $2, now(), 'FEVER', 'NOT_SERIOUS', 'RECOVERED', 'x')`,
          [beta, given.id],
        ),
      ).rejects.toMatchObject({ code: '23503' });
    });
  });

  it('lets a LOCAL placeholder product code be replaced by its dm+d code, carrying events with it', async () => {
    const e = await value<VaccinationEvent>(
      call(nurse, 'vaccination.record', {
        personId: alpha,
        programmeCode: 'ADULT',
        outcome: 'GIVEN',
        occurredOn: '2025-10-10',
        productCode: 'LOCAL-PNEUMOVAX23',
        batch: { batchNumber: 'PN1', expiryDate: '2026-05-01' },
      }),
    );
    await db.query(`UPDATE ims.vaccine_product SET code = '99999911000001100', code_status = 'TO_CHECK' WHERE code = 'LOCAL-PNEUMOVAX23'`);
    const after = await db.query(
      `SELECT e.product_code, b.product_code AS batch_product FROM ims.vaccination_event e JOIN ims.batch b ON b.id = e.batch_id WHERE e.id = $1`,
      [e.id],
    );
    expect(after.rows[0]!).toEqual({ product_code: '99999911000001100', batch_product: '99999911000001100' });
  });
});

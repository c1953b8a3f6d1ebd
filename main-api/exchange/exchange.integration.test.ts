// Vaccination exchange as real login roles: a FHIR bundle imported by a child health nurse (a
// certain match attaches, doubtful ones wait for review, a resend creates nothing, an update
// replaces, entered-in-error withdraws, a refused entry leaves nothing behind), the review queue
// (candidates side by side, twins never matched to each other, accept and reject, scope), and the
// tracked exports run as the owner: the GP daily update and the v5 batch file (never twice,
// never missed, late-recorded events included, UPDATE after a correction, DELETE after
// entered-in-error, columns that read back as written).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { openOwnerDataSource } from '../platform/db/datasource';
import type { FhirExportOutput, FhirImportOutput, ReviewItem } from '../contract/exchange';
import { PRODUCT } from '../shared/vocabulary/products';
import { V5_COLUMNS, V5_VACCINE_TYPE } from '../shared/vocabulary/exchange';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { call, dropRoles, nhsSequence, userConnections, value, type UserConnections } from '../../tests/support/fixtures';
import { bundle, immunization } from './exchange.fixtures';
import { createExchangeHandlers, exportGpUpdates, exportVaccinationBatch } from './exchange.service';
import { checkBundle } from './fhir-structure.rules';
import { parseV5File } from './v5-file.rules';

const nhs = nhsSequence(999_410_000, 13);
const PASSWORD = 'exchange-test-password';
const TODAY = '2026-10-05';

const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS'),
  ('FA123', 'High Street Pharmacy', 'EMPLOYER', 'QKS'),
  ('Y60', 'Elsewhere', 'REGION', NULL), ('G99001', 'Far Surgery', 'GP', 'Y60');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G99001');
`;

type Handlers = ReturnType<typeof createExchangeHandlers>;

describe('vaccination exchange', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const names = { nurse: uniqueName('t_exc_nurse'), far: uniqueName('t_exc_far'), analyst: uniqueName('t_exc_analyst') };
  let nurseDs: DataSource;
  let nurse: Handlers;
  let far: Handlers;
  let analyst: Handlers;
  const people: Record<string, { id: number; nhs: string }> = {};

  async function person(key: string, given: string, family: string, dob: string, practice: string, postcode: string, gender = '2') {
    const number = nhs(Object.keys(people).length + 1);
    const r = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode, gender_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [number, given, family, dob, practice, postcode, gender],
    );
    people[key] = { id: Number(r.rows[0]!.id), nhs: number };
  }

  const importText = (h: Handlers, resources: Record<string, unknown>[]) =>
    call(h, 'exchange.fhir.import', { text: JSON.stringify(bundle(resources)) });

  const liveEvents = async (personId: number) =>
    (
      await db.query<{ id: string; source_id: string; batch_number: string | null; status: string }>(
        `SELECT id, source_id, batch_number, status FROM ims.vaccination_event WHERE person_id = $1 ORDER BY id`,
        [personId],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    await person('sarah', 'Sarah', 'Taylor', '2020-02-28', 'G82001', 'ME14 1XX');
    // Twins: same birthday, same address, different names.
    await person('ava', 'Ava', 'Okafor', '2019-06-10', 'G82001', 'ME15 6AB');
    await person('isla', 'Isla', 'Okafor', '2019-06-10', 'G82001', 'ME15 6AB');
    await person('far', 'Finn', 'Distant', '2018-01-01', 'G99001', 'TN1 1AA', '1');
    await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.far, role: 'child-health', orgs: ['G99001'], password: PASSWORD });
    await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['QKS'], password: PASSWORD });
    nurseDs = await connections.open({ name: names.nurse, password: PASSWORD });
    nurse = createExchangeHandlers(nurseDs, () => TODAY);
    far = createExchangeHandlers(await connections.open({ name: names.far, password: PASSWORD }), () => TODAY);
    analyst = createExchangeHandlers(await connections.open({ name: names.analyst, password: PASSWORD }), () => TODAY);
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  const sarahDose = (over: Parameters<typeof immunization>[0] = {}) =>
    immunization({ id: 'sarah-mmr-1', nhsNumber: people.sarah!.nhs, family: 'Taylor', given: 'Sarah', birthDate: '2020-02-28', ...over });
  const twinDose = () =>
    immunization({ id: 'twin-mmr-1', nhsNumber: null, family: 'Okafor', given: 'Ava', birthDate: '2019-06-10', postcode: 'ME15 6AB' });
  const badCheckDigit = () => {
    const n = people.sarah!.nhs;
    const wrong = n.slice(0, 9) + String((Number(n[9]) + 1) % 10);
    return immunization({
      id: 'sarah-bad-nhs',
      nhsNumber: wrong,
      family: 'Taylor',
      given: 'Sarah',
      birthDate: '2020-02-28',
      dose: 2,
      occurrence: '2021-05-01',
    });
  };

  it('attaches a certain match, queues doubtful ones for review, and a resend creates nothing', async () => {
    const first = await value<FhirImportOutput>(importText(nurse, [sarahDose(), twinDose(), badCheckDigit()]));
    expect(first.results.map((r) => r.outcome)).toEqual(['CREATED', 'REVIEW', 'REVIEW']);
    expect(first.results[0]?.personId).toBe(people.sarah!.id);
    expect(first.results[1]!.reason).toMatch(/No NHS number/);
    expect(first.results[2]!.reason).toMatch(/check digit/);

    const again = await value<FhirImportOutput>(importText(nurse, [sarahDose(), twinDose(), badCheckDigit()]));
    expect(again.results.map((r) => r.outcome)).toEqual(['UNCHANGED', 'REVIEW', 'REVIEW']);
    expect(again.results[1]!.reviewId).toBe(first.results[1]!.reviewId);
    expect(await liveEvents(people.sarah!.id)).toHaveLength(1);
    const pending = await db.query(`SELECT count(*)::int AS n FROM ims.exchange_review WHERE status = 'PENDING'`);
    expect(pending.rows[0]!.n).toBe(2);
    // Every import read of a person is audited.
    const views = await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE actor = $1 AND purpose = 'import vaccination'`, [
      names.nurse,
    ]);
    expect(views.rows[0]!.n).toBeGreaterThan(0);
  });

  it('replaces the event on an update and withdraws it when the sender enters it in error', async () => {
    const updated = await value<FhirImportOutput>(importText(nurse, [sarahDose({ batch: 'MMR-809' })]));
    expect(updated.results[0]!.outcome).toBe('UPDATED');
    const rows = await liveEvents(people.sarah!.id);
    expect(rows.map((r) => [r.batch_number, r.status])).toEqual([
      ['MMR-808', 'SUPERSEDED'],
      ['MMR-809', 'ACTIVE'],
    ]);
    const withdrawn = await value<FhirImportOutput>(importText(nurse, [sarahDose({ batch: 'MMR-809', status: 'entered-in-error' })]));
    expect(withdrawn.results[0]!.outcome).toBe('ENTERED_IN_ERROR');
    expect((await liveEvents(people.sarah!.id)).at(-1)!.status).toBe('ENTERED_IN_ERROR');
    // Sent again after being withdrawn: the withdrawn record stays withdrawn, and the answer says why.
    const back = await value<FhirImportOutput>(importText(nurse, [sarahDose({ batch: 'MMR-810' })]));
    expect(back.results[0]).toMatchObject({ outcome: 'IGNORED', reason: expect.stringMatching(/new identifier/) });
  });

  it('refuses a whole bundle when one entry is refused, leaving nothing behind', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM ims.vaccination_event`);
    const r = await importText(nurse, [
      sarahDose({ id: 'sarah-mmr-2', dose: 2, occurrence: '2021-06-01', batch: 'B2' }),
      sarahDose({ id: 'sarah-unknown-product', product: '99999911000001109' }),
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALIDATION');
      expect(r.error.message).toMatch(/Bundle\.entry\[1\]\.resource: vaccineCode: 99999911000001109/);
    }
    const after = await db.query(`SELECT count(*)::int AS n FROM ims.vaccination_event`);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('reports malformed files with the path of the field at fault', async () => {
    const broken = sarahDose();
    delete broken.occurrenceDateTime;
    const r = await importText(nurse, [broken]);
    expect(r.ok).toBe(false);
    if (!r.ok && r.error.details?.kind === 'fields')
      expect(r.error.details.fields[0]!.field).toBe('Bundle.entry[0].resource.occurrenceDateTime');
  });

  it('shows twins side by side, never attaching either on demographics, and attaches the one the reviewer accepts', async () => {
    const queue = await value<ReviewItem[]>(call(nurse, 'exchange.review.list', {}));
    const twin = queue.find((q) => q.sourceId === 'twin-mmr-1')!;
    expect(twin.incoming).toMatchObject({ familyName: 'Okafor', givenName: 'Ava', dateOfBirth: '2019-06-10' });
    const byName = Object.fromEntries(twin.candidates.map((c) => [c.givenName, c]));
    expect(Object.keys(byName).sort()).toEqual(['Ava', 'Isla']);
    expect(byName.Ava!.points).toBeGreaterThan(byName.Isla!.points);
    expect(byName.Ava!.twin).toBe(true);
    expect(byName.Ava!.parts).toMatchObject({ familyName: 25, givenName: 20, dateOfBirth: 30, postcode: 20 });

    const decided = await value<ReviewItem>(
      call(nurse, 'exchange.review.decide', { id: twin.id, decision: 'ACCEPT', personId: people.ava!.id }),
    );
    expect(decided).toMatchObject({ status: 'ACCEPTED', personId: people.ava!.id });
    expect((await liveEvents(people.ava!.id)).map((e) => e.source_id)).toEqual(['twin-mmr-1']);
    expect(await liveEvents(people.isla!.id)).toHaveLength(0);
    // Decided once: a second decision is refused.
    const again = await call(nurse, 'exchange.review.decide', { id: twin.id, decision: 'REJECT' });
    expect(again.ok).toBe(false);
  });

  it('rejects without recording anything', async () => {
    const queue = await value<ReviewItem[]>(call(nurse, 'exchange.review.list', {}));
    const item = queue.find((q) => q.sourceId === 'sarah-bad-nhs')!;
    expect(item.candidates.map((c) => c.personId)).toContain(people.sarah!.id);
    const before = (await liveEvents(people.sarah!.id)).length;
    const r = await value<ReviewItem>(call(nurse, 'exchange.review.decide', { id: item.id, decision: 'REJECT', note: 'Not ours' }));
    expect(r.status).toBe('REJECTED');
    expect(await liveEvents(people.sarah!.id)).toHaveLength(before);
  });

  it('keeps people outside the scope out of sight and out of reach', async () => {
    const refused = await importText(analyst, [sarahDose({ id: 'analyst-1' })]);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('FORBIDDEN');
    // The far nurse sends a certain match for a person outside their scope: it waits, showing no one.
    const r = await value<FhirImportOutput>(importText(far, [sarahDose({ id: 'far-1', dose: 2, occurrence: '2021-07-01', batch: 'F1' })]));
    expect(r.results[0]!.outcome).toBe('REVIEW');
    const item = await value<ReviewItem>(call(far, 'exchange.review.get', { id: r.results[0]!.reviewId! }));
    expect(item.candidates).toEqual([]);
    // Each sees only what was received within their own scope: what was sent names a person.
    expect((await value<ReviewItem[]>(call(far, 'exchange.review.list', {}))).map((q) => q.sourceId)).toEqual(['far-1']);
    expect((await value<ReviewItem[]>(call(nurse, 'exchange.review.list', {}))).map((q) => q.sourceId)).not.toContain('far-1');
    const peek = await call(nurse, 'exchange.review.get', { id: item.id });
    expect(peek.ok || peek.error.code).toBe('NOT_FOUND');
    const attach = await call(far, 'exchange.review.decide', { id: item.id, decision: 'ACCEPT', personId: people.sarah!.id });
    expect(attach.ok).toBe(false);
    if (!attach.ok) expect(attach.error.code).toBe('FORBIDDEN');
    const exported = await call(far, 'exchange.fhir.export', { personId: people.sarah!.id });
    expect(exported.ok).toBe(false);
  });

  it("exports a person's record as a FHIR R4 bundle that conforms, with not-given doses and reactions", async () => {
    const ev = await db.query<{ id: string }>(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, batch_number, expiry_date, organisation_code)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', '2024-03-01', $2, true, 'LOCAL1', '2025-01-01', 'G82001') RETURNING id`,
      [people.isla!.id, PRODUCT.MMRVAXPRO],
    );
    await db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, not_given_reason, occurred_on, primary_source)
       VALUES ($1, 'ROUTINE_CHILDHOOD', 'NOT_GIVEN', 'DECLINED', '2024-04-01', true)`,
      [people.isla!.id],
    );
    await db.query(
      `INSERT INTO ims.adverse_reaction (person_id, vaccination_event_id, onset_at, reaction_code, seriousness, outcome, reporter)
       VALUES ($1, $2, '2024-03-01T15:00:00Z', 'FEVER', 'NOT_SERIOUS', 'RECOVERED', 'Parent')`,
      [people.isla!.id, ev.rows[0]!.id],
    );
    const out = await value<FhirExportOutput>(call(nurse, 'exchange.fhir.export', { personId: people.isla!.id }));
    const b = JSON.parse(out.text);
    expect(checkBundle(b)).toEqual([]);
    const types = b.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType);
    expect(types).toEqual(['Patient', 'Immunization', 'AdverseEvent', 'Immunization']);
    const notDone = b.entry[3].resource;
    expect(notDone.status).toBe('not-done');
    expect(notDone.statusReason.coding[0]).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'PATOBJ' });
    expect(b.entry[2].resource.suspectEntity[0].instance.reference).toBe(b.entry[1].fullUrl);
  });

  it('has a batch-file vaccine type for every product type on the register', async () => {
    const types = (await db.query<{ t: string }>(`SELECT DISTINCT vaccine_type AS t FROM ims.vaccine_product`)).rows.map((r) => r.t);
    expect(types.filter((t) => !(t in V5_VACCINE_TYPE))).toEqual([]);
  });

  describe('tracked exports (as the owner)', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ims-exchange-test-'));
    const at = (iso: string) => new Date(iso);

    async function given(
      personKey: string,
      org: string,
      sourceId: string,
      occurredOn: string,
      product: string = PRODUCT.MMRVAXPRO,
      dose = 1,
    ) {
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, occurred_at, product_code, dose_sequence,
           primary_source, batch_number, expiry_date, organisation_code, source_system, source_id, performer_name,
           site_code, site_term, route_code, route_term, dose_amount, dose_unit_code, dose_unit_term, location_code, location_type)
         VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', $2, ($2::date + time '10:30') AT TIME ZONE 'Europe/London', $3, $4, true, 'B-' || $5, $2::date + 400, $6, 'IMS', $5,
           'Jo Anne Nurse', '368208006', 'Left upper arm structure', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre', $6, 'ODS')
         RETURNING id`,
        [people[personKey]!.id, occurredOn, product, dose, sourceId, org],
      );
      return Number(r.rows[0]!.id);
    }

    const fileRows = (file: string) => {
      const parsed = parseV5File(readFileSync(file, 'utf8'));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.rows;
    };

    it('sends each GP practice what its patients were given elsewhere, never twice and never missed', async () => {
      const owner = await openOwnerDataSource(db.url, 'exchange test');
      try {
        const dir = join(outDir, 'gp');
        // The practice's own dose is not sent to it; the pharmacy's are (and the imports from FA123).
        await given('ava', 'G82001', 'own-1', '2025-01-10');
        await given('isla', 'FA123', 'pharm-1', '2025-02-10');
        const first = await exportGpUpdates(owner, dir, at('2026-10-05T17:00:00Z'));
        const g1 = first.files.find((f) => f.file.includes('_G82001_'))!;
        expect(g1.file).toMatch(/GPUPDATE_Vaccinations_v5_G82001_20261005T18000001\.csv$/);
        const rows1 = fileRows(g1.file);
        const ids1 = rows1.map((r) => r.UNIQUE_ID).sort();
        expect(ids1).toContain('pharm-1');
        expect(ids1).toContain('twin-mmr-1');
        expect(ids1).not.toContain('own-1');
        expect(rows1.every((r) => r.ACTION_FLAG === 'NEW')).toBe(true);

        // Nothing new: nothing sent.
        const second = await exportGpUpdates(owner, dir, at('2026-10-06T17:00:00Z'));
        expect(second.files.filter((f) => f.file.includes('_G82001_'))).toEqual([]);

        // Recorded late with an earlier date; and a correction and a withdrawal of what was sent.
        await given('ava', 'FA123', 'pharm-late', '2023-01-01');
        const pharm = Number((await db.query(`SELECT id FROM ims.vaccination_event WHERE source_id = 'pharm-1'`)).rows[0]!.id);
        await db.query(
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, batch_number,
             expiry_date, organisation_code, source_system, source_id, supersedes_id, change_reason)
           SELECT person_id, programme_code, outcome, occurred_on, product_code, primary_source, 'B-FIXED', expiry_date, organisation_code,
             source_system, source_id, id, 'Batch typo' FROM ims.vaccination_event WHERE id = $1`,
          [pharm],
        );
        await db.query(`UPDATE ims.vaccination_event SET status = 'ENTERED_IN_ERROR', status_reason = 'Wrong child'
                        WHERE source_id = 'twin-mmr-1' AND status = 'ACTIVE'`);
        const third = await exportGpUpdates(owner, dir, at('2026-10-07T17:00:00Z'));
        const rows3 = fileRows(third.files.find((f) => f.file.includes('_G82001_'))!.file);
        const byId = Object.fromEntries(rows3.map((r) => [r.UNIQUE_ID, r]));
        expect(Object.keys(byId).sort()).toEqual(['pharm-1', 'pharm-late', 'twin-mmr-1']);
        expect(byId['pharm-late']!.ACTION_FLAG).toBe('NEW');
        expect(byId['pharm-1']).toMatchObject({ ACTION_FLAG: 'UPDATE', BATCH_NUMBER: 'B-FIXED' });
        expect(byId['twin-mmr-1']!.ACTION_FLAG).toBe('DELETE');
        const fourth = await exportGpUpdates(owner, dir, at('2026-10-08T17:00:00Z'));
        expect(fourth.files.filter((f) => f.file.includes('_G82001_'))).toEqual([]);
        // No partial files are left behind.
        expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
      } finally {
        await owner.destroy();
      }
    });

    it("writes this organisation's doses as v5 batch files per vaccine type whose columns read back as written", async () => {
      const owner = await openOwnerDataSource(db.url, 'exchange test');
      try {
        const dir = join(outDir, 'v5');
        await given('sarah', 'QKS', 'v5-mmr', '2025-06-01', PRODUCT.MMRVAXPRO, 2);
        const flu = (
          await db.query(`SELECT product_code FROM ims.product_procedure p JOIN ims.vaccine_product v ON v.code = p.product_code
                                      WHERE v.vaccine_type LIKE 'Flu (cell%' LIMIT 1`)
        ).rows[0]!.product_code as string;
        await given('ava', 'QKS', 'v5-flu', '2025-10-20', flu, 1);
        const first = await exportVaccinationBatch(owner, 'QKS', dir, at('2026-01-15T09:00:00Z'));
        const names = first.files.map((f) => f.file.split('/').at(-1)).sort();
        expect(names).toEqual(['FLU_Vaccinations_v5_QKS_20260115T09000000.csv', 'MMR_Vaccinations_v5_QKS_20260115T09000000.csv']);
        const text = readFileSync(join(dir, names[1]!), 'utf8');
        expect(text.split('\r\n')[0]).toBe(V5_COLUMNS.join('|'));
        const [row] = fileRows(join(dir, names[1]!));
        expect(row).toEqual({
          NHS_NUMBER: people.sarah!.nhs,
          PERSON_FORENAME: 'Sarah',
          PERSON_SURNAME: 'Taylor',
          PERSON_DOB: '20200228',
          PERSON_GENDER_CODE: '2',
          PERSON_POSTCODE: 'ME14 1XX',
          DATE_AND_TIME: '20250601T10300001',
          SITE_CODE: 'QKS',
          SITE_CODE_TYPE_URI: 'https://fhir.nhs.uk/Id/ods-organization-code',
          UNIQUE_ID: 'v5-mmr',
          UNIQUE_ID_URI: 'urn:ims:vaccination-event',
          ACTION_FLAG: 'NEW',
          PERFORMING_PROFESSIONAL_FORENAME: 'Jo Anne',
          PERFORMING_PROFESSIONAL_SURNAME: 'Nurse',
          RECORDED_DATE: expect.stringMatching(/^20[0-9]{6}$/),
          PRIMARY_SOURCE: 'TRUE',
          VACCINATION_PROCEDURE_CODE: '170433008',
          VACCINATION_PROCEDURE_TERM: expect.stringContaining('second dose'),
          DOSE_SEQUENCE: '2',
          VACCINE_PRODUCT_CODE: PRODUCT.MMRVAXPRO,
          VACCINE_PRODUCT_TERM: expect.stringContaining('M-M-RVAXPRO'),
          VACCINE_MANUFACTURER: 'Merck Sharp & Dohme (UK) Ltd',
          BATCH_NUMBER: 'B-v5-mmr',
          EXPIRY_DATE: '20260706',
          SITE_OF_VACCINATION_CODE: '368208006',
          SITE_OF_VACCINATION_TERM: 'Left upper arm structure',
          ROUTE_OF_VACCINATION_CODE: '78421000',
          ROUTE_OF_VACCINATION_TERM: 'Intramuscular route',
          DOSE_AMOUNT: '0.5',
          DOSE_UNIT_CODE: '258773002',
          DOSE_UNIT_TERM: 'Millilitre',
          INDICATION_CODE: '',
          LOCATION_CODE: 'QKS',
          LOCATION_CODE_TYPE_URI: 'https://fhir.nhs.uk/Id/ods-organization-code',
        });
        expect((await exportVaccinationBatch(owner, 'QKS', dir, at('2026-01-16T09:00:00Z'))).files).toEqual([]);
        await db.query(
          `UPDATE ims.vaccination_event SET status = 'ENTERED_IN_ERROR', status_reason = 'Duplicate' WHERE source_id = 'v5-flu'`,
        );
        const del = await exportVaccinationBatch(owner, 'QKS', dir, at('2026-01-17T09:00:00Z'));
        expect(del.files).toHaveLength(1);
        expect(fileRows(del.files[0]!.file).map((r) => [r.UNIQUE_ID, r.ACTION_FLAG])).toEqual([['v5-flu', 'DELETE']]);
      } finally {
        await owner.destroy();
      }
    });

    it('lets no application user claim events as sent, and refuses a second export of a channel while one runs', async () => {
      const refused = await nurseDs.query(`SELECT * FROM api.exchange_export_claim('GP', 'G82001', 'x')`).catch((e: Error) => e);
      expect(String(refused)).toMatch(/permission denied/);
      const owner = await openOwnerDataSource(db.url, 'exchange test');
      const other = await openOwnerDataSource(db.url, 'exchange test 2');
      try {
        await owner.transaction(async (m) => {
          await m.query(`SELECT * FROM api.exchange_export_claim('GP', 'G82001', 'first')`);
          const second = await other.query(`SELECT * FROM api.exchange_export_claim('GP', 'G82001', 'second')`).catch((e: Error) => e);
          expect(String(second)).toMatch(/Another export of GP:G82001 is running/);
        });
      } finally {
        await owner.destroy();
        await other.destroy();
      }
    });
  });
});

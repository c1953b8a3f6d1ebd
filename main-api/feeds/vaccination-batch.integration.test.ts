// NHS vaccination batch files (v5) through the import pipeline, as real login roles: a corpus
// of malformed files, each refused whole or its row rejected with the file's field and reason
// and nothing half-applied; the national rules on the sender's identifier (NEW, UPDATE, DELETE,
// reinstatement, order within a file); re-imports; scope; and the acknowledgements written.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { openDataSource } from '../platform/db/datasource';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, dropRoles, nhsSequence, TWO_PRACTICES_SQL, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { ROUTE_LABELS, SITE_SNOMED_TERMS } from '../shared/vocabulary/sites';
import { importRejects } from './feeds.repository';
import { runImport } from './import.service';
import { writeVaccinationAcks } from './vaccination-ack.service';
import { V5_HEADER } from './vaccination-batch.rules';

const nhs = nhsSequence(999_820_000, 13);
const PASSWORD = 'vaccination-feed-password';
const TODAY = '2026-11-30';
const URI = 'https://supplier.example/vaccination-ids';
const ODS_URI = 'https://fhir.nhs.uk/Id/ods-organization-code';
const HEADER = V5_HEADER.map((c) => `"${c}"`).join('|');
type Column = (typeof V5_HEADER)[number];

describe('NHS vaccination batch files (v5)', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let owner: DataSource;
  let coordinator: DataSource;
  let analyst: DataSource;
  let mmr: string;
  const names = { coordinator: uniqueName('t_vx_coord'), analyst: uniqueName('t_vx_an') };
  const dir = mkdtempSync(join(tmpdir(), 'ims-vx-'));
  const people = { amy: nhs(1), ben: nhs(2), far: nhs(3) };
  let fileNo = 0;

  function row(over: Partial<Record<Column, string>> = {}): string {
    const v: Partial<Record<Column, string>> = {
      NHS_NUMBER: people.amy,
      PERSON_FORENAME: 'Amy',
      PERSON_SURNAME: 'Vax',
      PERSON_DOB: '20200115',
      PERSON_GENDER_CODE: '2',
      PERSON_POSTCODE: 'ME14 1AA',
      DATE_AND_TIME: '20211020T10300001',
      SITE_CODE: 'G82001',
      SITE_CODE_TYPE_URI: ODS_URI,
      UNIQUE_ID: 'U-1',
      UNIQUE_ID_URI: URI,
      ACTION_FLAG: 'NEW',
      PERFORMING_PROFESSIONAL_FORENAME: 'Nina',
      PERFORMING_PROFESSIONAL_SURNAME: 'Jones',
      RECORDED_DATE: '20211020',
      PRIMARY_SOURCE: 'TRUE',
      VACCINATION_PROCEDURE_CODE: '38598009',
      DOSE_SEQUENCE: '1',
      VACCINE_PRODUCT_CODE: mmr,
      BATCH_NUMBER: 'AB123',
      EXPIRY_DATE: '20220101',
      SITE_OF_VACCINATION_CODE: '368208006',
      ROUTE_OF_VACCINATION_CODE: '78421000',
      DOSE_AMOUNT: '0.5',
      DOSE_UNIT_CODE: '258773002',
      DOSE_UNIT_TERM: 'Millilitre',
      LOCATION_CODE: 'G82001',
      LOCATION_CODE_TYPE_URI: ODS_URI,
      ...over,
    };
    return V5_HEADER.map((c) => `"${v[c] ?? ''}"`).join('|');
  }
  function file(lines: string[] | Buffer, name = 'MMR_Vaccinations_v5_G82001_20261130T10000000.csv') {
    const sub = join(dir, String(++fileNo));
    mkdirSync(sub);
    const path = join(sub, name);
    writeFileSync(path, Buffer.isBuffer(lines) ? lines : lines.join('\r\n') + '\r\n');
    return { path, name };
  }
  const run = (ds: DataSource, f: { path: string; name: string }) =>
    runImport(ds, { kind: 'vaccination-batch-v5', path: f.path, fileName: f.name, today: TODAY });
  const counts = async () =>
    (
      await db.query<{ events: string; keys: string }>(
        `SELECT (SELECT count(*) FROM ims.vaccination_event) AS events, (SELECT count(*) FROM ims.vaccination_feed_key) AS keys`,
      )
    ).rows[0];
  const eventsOf = async (id: string) =>
    (
      await db.query(
        `SELECT e.status, e.person_id, e.supersedes_id, e.performer_name, e.occurred_at, e.occurred_on::text AS occurred_on
         FROM ims.vaccination_event e WHERE e.source_system = $1 AND e.source_id = $2 ORDER BY e.id`,
        [URI, id],
      )
    ).rows as Record<string, unknown>[];

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    mmr = (await db.query(`SELECT product_code FROM ims.product_procedure WHERE code = '38598009' LIMIT 1`)).rows[0]!.product_code;
    await addPerson(db, { nhsNumber: people.amy, givenName: 'Amy', familyName: 'Vax', dateOfBirth: '2020-01-15', practiceCode: 'G82001' });
    await addPerson(db, { nhsNumber: people.ben, givenName: 'Ben', familyName: 'Vax', dateOfBirth: '2019-05-05', practiceCode: 'G82001' });
    await addPerson(db, { nhsNumber: people.far, givenName: 'Far', familyName: 'Away', dateOfBirth: '2020-01-15', practiceCode: 'G82002' });
    await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['Y59'], password: PASSWORD });
    coordinator = await connections.open({ name: names.coordinator, password: PASSWORD });
    analyst = await connections.open({ name: names.analyst, password: PASSWORD });
    owner = await openDataSource(db.url);
  });

  afterAll(async () => {
    await connections?.closeAll();
    await owner?.destroy();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('holds the same SNOMED sites and routes as the vocabulary', async () => {
    const sites = await db.query<{ code: string; term: string }>(`SELECT code, term FROM ims.snomed_site`);
    expect(Object.fromEntries(sites.rows.map((s) => [s.code, s.term]))).toEqual(SITE_SNOMED_TERMS);
    const routes = await db.query<{ code: string; term: string }>(`SELECT code, term FROM ims.snomed_route`);
    expect(Object.fromEntries(routes.rows.map((s) => [s.code, s.term]))).toEqual(ROUTE_LABELS);
  });

  it('records NEW rows as the signed-in importer, keyed by the sender, and a re-import changes nothing', async () => {
    const f = file([
      HEADER,
      row(),
      row({ UNIQUE_ID: 'U-2', NHS_NUMBER: people.ben, PERSON_DOB: '20190505', DATE_AND_TIME: '20211020T09000000' }),
    ]);
    const summary = await run(coordinator, f);
    expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 2, rowsRejected: 0, rowsApplied: 2 });
    expect(summary.counts).toMatchObject({ added: 2, updated: 0, deleted: 0 });
    const [event] = await eventsOf('U-1');
    expect(event).toMatchObject({ status: 'ACTIVE', performer_name: 'Nina Jones', occurred_on: '2021-10-20' });
    // 01: British Summer Time, so 10:30 in England is 09:30 UTC.
    expect((event!.occurred_at as Date).toISOString()).toBe('2021-10-20T09:30:00.000Z');
    const [u2] = await eventsOf('U-2');
    expect((u2!.occurred_at as Date).toISOString()).toBe('2021-10-20T09:00:00.000Z');
    const stored = await db.query(
      `SELECT programme_code, site_term, route_term, location_type, organisation_code, recorded_by, primary_source
       FROM ims.vaccination_event WHERE source_id = 'U-1'`,
    );
    expect(stored.rows[0]).toEqual({
      programme_code: 'ROUTINE_CHILDHOOD',
      site_term: 'Left upper arm structure',
      route_term: 'Intramuscular route',
      location_type: 'ODS',
      organisation_code: 'G82001',
      recorded_by: names.coordinator,
      primary_source: true,
    });
    // The schedule status of the people vaccinated is queued for recomputing.
    const stale = await db.query(
      `SELECT 1 FROM ims.series_status_stale s JOIN ims.person p ON p.id = s.person_id WHERE p.nhs_number = $1`,
      [people.amy],
    );
    expect(stale.rowCount).toBe(1);
    const before = await counts();
    const again = await run(coordinator, f);
    expect(again).toMatchObject({ status: 'ALREADY_APPLIED', sameAs: summary.id });
    expect(await counts()).toEqual(before);
  });

  describe('files refused whole, nothing applied', () => {
    const swapped = [...V5_HEADER];
    [swapped[1], swapped[2]] = [swapped[2]!, swapped[1]!];
    const cases: [string, () => { path: string; name: string }, RegExp][] = [
      ['columns in another order', () => file([swapped.join('|'), row()]), /Column 2 .*"PERSON_SURNAME".*PERSON_FORENAME/],
      ['a missing column', () => file([V5_HEADER.slice(0, 33).join('|'), row()]), /33 columns; .* 34/],
      ['a header in lower case', () => file([V5_HEADER.join('|').toLowerCase(), row()]), /Column 1 .*"nhs_number".*NHS_NUMBER/],
      ['a file name not in the national form', () => file([HEADER, row()], 'vaccinations.csv'), /not \{VACCINE_TYPE\}_Vaccinations_v5_/],
      ['an unknown vaccine type in the name', () => file([HEADER, row()], 'POLIO_Vaccinations_v5_G82001_20261130T10000000.csv'), /POLIO/],
      ['a header and no rows', () => file([HEADER]), /no rows/],
    ];
    for (const [what, make, reason] of cases) {
      it(`refuses ${what}`, async () => {
        const before = await counts();
        const summary = await run(coordinator, make());
        expect(summary.status).toBe('FILE_REFUSED');
        expect(summary.message).toMatch(reason);
        expect(await counts()).toEqual(before);
      });
    }
    it('takes the name in any letter case, and .dat', async () => {
      const summary = await run(
        coordinator,
        file([HEADER, row({ UNIQUE_ID: 'U-CASE' })], 'mmr_VACCINATIONS_V5_g82001_20261130t10000000.DAT'),
      );
      expect(summary.status).toBe('APPLIED');
    });
  });

  describe('rows rejected with the field and reason, nothing of them applied', () => {
    const cases: [string, Partial<Record<Column, string>>, Column, RegExp][] = [
      ['a bad check digit', { NHS_NUMBER: people.amy.slice(0, 9) + String((Number(people.amy[9]) + 1) % 10) }, 'NHS_NUMBER', /check digit/],
      ['an NHS number not on the register', { NHS_NUMBER: nhs(40) }, 'NHS_NUMBER', /not on the register/],
      ['a person outside the importer’s scope', { NHS_NUMBER: people.far }, 'NHS_NUMBER', /not available to you/],
      ['a date of birth that disagrees', { PERSON_DOB: '20200116' }, 'PERSON_DOB', /does not agree/],
      ['a vaccination in the future', { DATE_AND_TIME: '20261201T10000000' }, 'DATE_AND_TIME', /future/],
      ['an impossible date', { PERSON_DOB: '20210230' }, 'PERSON_DOB', /not a real date/],
      ['a bad DATE_AND_TIME suffix', { DATE_AND_TIME: '20211020T10300002' }, 'DATE_AND_TIME', /00 \(UTC\) or 01 \(BST\)/],
      ['an unknown action flag', { ACTION_FLAG: 'MODIFY' }, 'ACTION_FLAG', /NEW, UPDATE or DELETE/],
      ['NEW on a live identifier', { UNIQUE_ID: 'U-1' }, 'ACTION_FLAG', /NEW for an identifier .* already live\./],
      [
        'UPDATE of an unknown identifier',
        { UNIQUE_ID: 'U-NONE', ACTION_FLAG: 'UPDATE' },
        'ACTION_FLAG',
        /UPDATE of an identifier .* not known/,
      ],
      ['DELETE of an unknown identifier', { UNIQUE_ID: 'U-NONE', ACTION_FLAG: 'DELETE' }, 'ACTION_FLAG', /DELETE of an identifier/],
      ['a missing forename', { PERSON_FORENAME: '' }, 'PERSON_FORENAME', /required/],
      ['a missing recorded date', { RECORDED_DATE: '' }, 'RECORDED_DATE', /required/],
      ['a family name too long', { PERSON_SURNAME: 'S'.repeat(36) }, 'PERSON_SURNAME', /at most 35/],
      [
        'an unknown procedure code',
        { VACCINATION_PROCEDURE_CODE: '123456789' },
        'VACCINATION_PROCEDURE_CODE',
        /Unknown vaccination procedure code 123456789/,
      ],
      ['an unknown product code', { VACCINE_PRODUCT_CODE: '99999999' }, 'VACCINE_PRODUCT_CODE', /Unknown vaccine product/],
      ['an unknown site code', { SITE_OF_VACCINATION_CODE: '999999' }, 'SITE_OF_VACCINATION_CODE', /Unknown site/],
      ['a gender code outside 0, 1, 2, 9', { PERSON_GENDER_CODE: '3' }, 'PERSON_GENDER_CODE', /0, 1, 2 or 9/],
      ['PRIMARY_SOURCE not TRUE or FALSE', { PRIMARY_SOURCE: 'YES' }, 'PRIMARY_SOURCE', /TRUE or FALSE/],
      ['a dose sequence of 10', { DOSE_SEQUENCE: '10' }, 'DOSE_SEQUENCE', /1 to 9/],
      ['a dose given without its batch', { BATCH_NUMBER: '' }, 'BATCH_NUMBER', /batch number/],
    ];
    for (const [what, over, field, reason] of cases) {
      it(`rejects ${what}`, async () => {
        const before = await counts();
        const summary = await run(coordinator, file([HEADER, row({ UNIQUE_ID: 'U-BAD', ...over })]));
        expect(summary).toMatchObject({ status: 'APPLIED', rowsRejected: 1, rowsApplied: 0 });
        const rejects = await importRejects(coordinator, summary.id);
        expect(rejects.map((r) => r.field)).toContain(field);
        expect(rejects.find((r) => r.field === field)!.reason).toMatch(reason);
        expect(await counts()).toEqual(before);
      });
    }
  });

  it('rejects a second NEW for one identifier in one file, keeping the first', async () => {
    const summary = await run(coordinator, file([HEADER, row({ UNIQUE_ID: 'U-DUP' }), row({ UNIQUE_ID: 'U-DUP', DOSE_SEQUENCE: '2' })]));
    expect(summary).toMatchObject({ rowsApplied: 1, rowsRejected: 1 });
    expect((await importRejects(coordinator, summary.id)).map((r) => [r.row, r.field, r.reason])).toEqual([
      [2, 'ACTION_FLAG', 'NEW for an identifier (UNIQUE_ID and UNIQUE_ID_URI) that is already live (after row 1 of this file).'],
    ]);
    expect(await eventsOf('U-DUP')).toHaveLength(1);
  });

  it('reads Windows-1252 names with their accents', async () => {
    const text = [
      HEADER,
      row({ UNIQUE_ID: 'U-1252', PERFORMING_PROFESSIONAL_FORENAME: 'Zoë', PERFORMING_PROFESSIONAL_SURNAME: 'Brontë-Núñez' }),
    ];
    const summary = await run(coordinator, file(Buffer.from(text.join('\r\n') + '\r\n', 'latin1')));
    expect(summary).toMatchObject({ status: 'APPLIED', encoding: 'windows-1252', rowsApplied: 1 });
    expect((await eventsOf('U-1252'))[0]).toMatchObject({ performer_name: 'Zoë Brontë-Núñez' });
  });

  it('takes action flags in any case and applies one identifier’s rows in order: update, delete, reinstate', async () => {
    await run(coordinator, file([HEADER, row({ UNIQUE_ID: 'U-SEQ', ACTION_FLAG: 'new' })]));
    const summary = await run(
      coordinator,
      file([
        HEADER,
        row({ UNIQUE_ID: 'U-SEQ', ACTION_FLAG: 'Update', DOSE_SEQUENCE: '2' }),
        row({ UNIQUE_ID: 'U-SEQ', ACTION_FLAG: 'delete' }),
        row({ UNIQUE_ID: 'U-SEQ', ACTION_FLAG: 'NEW', DATE_AND_TIME: '20211021T10000000' }),
      ]),
    );
    expect(summary).toMatchObject({ status: 'APPLIED', rowsApplied: 3, rowsRejected: 0 });
    expect(summary.counts).toMatchObject({ added: 1, updated: 1, deleted: 1 });
    const events = await eventsOf('U-SEQ');
    expect(events.map((e) => e.status)).toEqual(['SUPERSEDED', 'ENTERED_IN_ERROR', 'ACTIVE']);
    expect(events[1]!.supersedes_id).not.toBeNull();
    expect(events[2]!.occurred_on).toBe('2021-10-21');
    // DELETE in a later file, then UPDATE of the deleted identifier is an error.
    await run(coordinator, file([HEADER, row({ UNIQUE_ID: 'U-SEQ', ACTION_FLAG: 'DELETE' })]));
    const late = await run(coordinator, file([HEADER, row({ UNIQUE_ID: 'U-SEQ', ACTION_FLAG: 'UPDATE' })]));
    expect((await importRejects(coordinator, late.id))[0]!.reason).toMatch(/was deleted \(send NEW to reinstate it\)/);
  });

  it('refuses an UPDATE naming another person than the live event', async () => {
    const summary = await run(
      coordinator,
      file([HEADER, row({ UNIQUE_ID: 'U-1', ACTION_FLAG: 'UPDATE', NHS_NUMBER: people.ben, PERSON_DOB: '20190505' })]),
    );
    expect((await importRejects(coordinator, summary.id)).map((r) => r.field)).toEqual(['NHS_NUMBER']);
    expect((await eventsOf('U-1')).map((e) => e.status)).toEqual(['ACTIVE']);
  });

  it('refuses a role that may not import', async () => {
    await expect(run(analyst, file([HEADER, row({ UNIQUE_ID: 'U-AN' })]))).rejects.toMatchObject({ code: '42501' });
    expect(await eventsOf('U-AN')).toHaveLength(0);
  });

  it('writes the acknowledgements: InfAck, BusAck with each failed row, and the totals', async () => {
    const f = file([HEADER, row({ UNIQUE_ID: 'U-ACK1' }), row({ UNIQUE_ID: 'U-ACK2', PERSON_SURNAME: 'S'.repeat(36) }), 'not|a|row']);
    const summary = await run(coordinator, f);
    const ackDir = join(dir, `acks-${summary.id}`);
    const paths = await writeVaccinationAcks(coordinator, summary, ackDir);
    const base = basename(f.name, '.csv');
    expect(paths.map((p) => basename(p))).toEqual([
      expect.stringMatching(new RegExp(`^${base}_InfAck_\\d{8}T\\d{6}00\\.csv$`)),
      expect.stringMatching(new RegExp(`^${base}_BusAck_\\d{8}T\\d{6}00\\.csv$`)),
      expect.stringMatching(new RegExp(`^${base}_Summary_\\d{8}T\\d{6}00\\.json$`)),
    ]);
    const [inf, bus, totals] = paths.map((p) => readFileSync(p, 'utf8'));
    const id = `IMS-IMPORT-${summary.id}`;
    expect(inf!.split('\r\n')[1]).toMatch(
      new RegExp(`^${id}\\|Success\\|Information\\|OK\\|20013\\|Technical\\|20013\\|Success\\|\\d{8}T\\d{8}\\|\\|\\|True$`),
    );
    const busLines = bus!.trimEnd().split('\r\n');
    expect(busLines[0]).toBe(
      'MESSAGE_HEADER_ID|HEADER_RESPONSE_CODE|ISSUE_SEVERITY|ISSUE_CODE|ISSUE_DETAILS_CODE|RESPONSE_TYPE|RESPONSE_CODE|' +
        'RESPONSE_DISPLAY|RECEIVED_TIME|MAILBOX_FROM|LOCAL_ID|IMMS_ID|OPERATION_OUTCOME|MESSAGE_DELIVERY',
    );
    expect(busLines).toHaveLength(3);
    const failed = busLines[1]!.split('|');
    expect(failed[0]).toBe(`${id}^2`);
    expect(failed.slice(1, 8)).toEqual([
      'Fatal Error',
      'Fatal',
      'Fatal Error',
      '30002',
      'Business',
      '30002',
      'Business Level Response Value - Processing Error',
    ]);
    expect(failed[10]).toBe(`U-ACK2^${URI}`);
    expect(failed[12]).toBe('PERSON_SURNAME: The surname is at most 35 characters.');
    expect(failed[13]).toBe('False');
    expect(busLines[2]!.split('|')[0]).toBe(`${id}^3`);
    expect(busLines[2]!.split('|')[12]).toMatch(/3 values; the header has 34/);
    expect(JSON.parse(totals!)).toMatchObject({ messageId: id, fileOutcome: 'Success', totals: { records: 3, succeeded: 1, failed: 2 } });

    // A refused file: the InfAck's failure codes, its reason in the totals, no BusAck.
    const refused = await run(coordinator, file([V5_HEADER.slice(1).join('|'), row()]));
    const refusedPaths = await writeVaccinationAcks(coordinator, refused, ackDir);
    expect(refusedPaths).toHaveLength(2);
    expect(readFileSync(refusedPaths[0]!, 'utf8')).toContain(
      `|Failure|Fatal|Fatal Error|10001|Technical|10002|Infrastructure Level Response Value - Processing Error|`,
    );
    expect(JSON.parse(readFileSync(refusedPaths[1]!, 'utf8'))).toMatchObject({
      fileOutcome: 'Failure',
      reason: expect.stringMatching(/header/),
    });
  });
});

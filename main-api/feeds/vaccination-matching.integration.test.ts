// NHS vaccination batch file (v5) rows sent without an NHS number, matched on their demographics
// (migration 0079), as real login roles: a certain match attached, a doubtful one and twins
// waiting in the review queue (never attached by themselves), the reviewer's decision recording
// the event under the sender's key, a DELETE withdrawing what waits, and the acknowledgements
// counting rows held for review as received, not failed.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { ExchangeRepository } from '../exchange/exchange.repository';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, dropRoles, nhsSequence, TWO_PRACTICES_SQL, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { importRejects } from './feeds.repository';
import { runImport } from './import.service';
import { writeVaccinationAcks } from './vaccination-ack.service';
import { V5_HEADER } from './vaccination-batch.rules';

const nhs = nhsSequence(999_830_000, 17);
const PASSWORD = 'vaccination-match-password';
const TODAY = '2026-11-30';
const URI = 'https://pharmacy.example/vaccination-ids';
const ODS_URI = 'https://fhir.nhs.uk/Id/ods-organization-code';
type Column = (typeof V5_HEADER)[number];

describe('v5 rows without an NHS number, matched on demographics', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let coordinator: DataSource;
  let other: DataSource;
  let mmr: string;
  const names = { coordinator: uniqueName('t_vm_coord'), other: uniqueName('t_vm_other') };
  const dir = mkdtempSync(join(tmpdir(), 'ims-vm-'));
  const ids: Record<string, number> = {};
  let fileNo = 0;

  function row(over: Partial<Record<Column, string>>): string {
    const v: Partial<Record<Column, string>> = {
      NHS_NUMBER: '',
      PERSON_GENDER_CODE: '2',
      DATE_AND_TIME: '20251020T10300001',
      SITE_CODE: 'G82001',
      SITE_CODE_TYPE_URI: ODS_URI,
      UNIQUE_ID_URI: URI,
      ACTION_FLAG: 'NEW',
      RECORDED_DATE: '20251020',
      PRIMARY_SOURCE: 'TRUE',
      VACCINATION_PROCEDURE_CODE: '38598009',
      DOSE_SEQUENCE: '1',
      VACCINE_PRODUCT_CODE: mmr,
      BATCH_NUMBER: 'MM1',
      EXPIRY_DATE: '20260101',
      LOCATION_CODE: 'G82001',
      LOCATION_CODE_TYPE_URI: ODS_URI,
      ...over,
    };
    return V5_HEADER.map((c) => `"${v[c] ?? ''}"`).join('|');
  }
  function file(rows: string[]) {
    const sub = join(dir, String(++fileNo));
    mkdirSync(sub);
    const path = join(sub, 'MMR_Vaccinations_v5_G82001_20261130T10000000.csv');
    writeFileSync(path, [V5_HEADER.join('|'), ...rows].join('\r\n') + '\r\n');
    return { path, name: 'MMR_Vaccinations_v5_G82001_20261130T10000000.csv' };
  }
  const run = (ds: DataSource, rows: string[]) =>
    runImport(ds, {
      kind: 'vaccination-batch-v5',
      path: file(rows).path,
      fileName: 'MMR_Vaccinations_v5_G82001_20261130T10000000.csv',
      today: TODAY,
    });
  const eventsOf = async (id: string) =>
    (
      await db.query<{ status: string; person_id: string }>(
        `SELECT e.status, e.person_id FROM ims.vaccination_event e WHERE e.source_system = $1 AND e.source_id = $2 ORDER BY e.id`,
        [URI, id],
      )
    ).rows.map((e) => ({ status: e.status, personId: Number(e.person_id) }));
  const pending = async (id: string) =>
    (await new ExchangeRepository(coordinator).reviewQueue('PENDING', 500)).find((i) => i.sourceSystem === URI && i.sourceId === id);

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    mmr = (await db.query(`SELECT product_code FROM ims.product_procedure WHERE code = '38598009' LIMIT 1`)).rows[0]!.product_code;
    const person = (n: number, givenName: string, familyName: string, dateOfBirth: string, postcode: string, practiceCode = 'G82001') =>
      addPerson(db, { nhsNumber: nhs(n), givenName, familyName, dateOfBirth, postcode, practiceCode });
    ids.cara = await person(1, 'Cara', 'Certain', '2019-03-03', 'ME15 6AA');
    ids.dora = await person(2, 'Dora', 'Doubtful', '2018-04-04', 'ME16 7BB');
    // Twins: one day, one address.
    ids.tia = await person(3, 'Tia', 'Twin', '2020-06-06', 'ME17 8CC');
    ids.tom = await person(4, 'Tom', 'Twin', '2020-06-06', 'ME17 8CC');
    // Someone the coordinator may not see, who matches their row for certain.
    ids.olga = await person(5, 'Olga', 'Outside', '2019-09-09', 'ME18 9DD', 'G82002');
    await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.other, role: 'coordinator', orgs: ['G82002'], password: PASSWORD });
    coordinator = await connections.open({ name: names.coordinator, password: PASSWORD });
    other = await connections.open({ name: names.other, password: PASSWORD });
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('attaches a certain match, queues the doubtful and twins for review, rejects rows that match no one', async () => {
    const summary = await run(coordinator, [
      row({ UNIQUE_ID: 'C-1', PERSON_FORENAME: 'Cara', PERSON_SURNAME: 'Certain', PERSON_DOB: '20190303', PERSON_POSTCODE: 'ME15 6AA' }),
      // Same surname, day and postcode, but only the initial of the given name: doubtful.
      row({
        UNIQUE_ID: 'D-1',
        PERSON_FORENAME: 'Dorothy',
        PERSON_SURNAME: 'Doubtful',
        PERSON_DOB: '20180404',
        PERSON_POSTCODE: 'ME16 7BB',
      }),
      // Everything agrees with Tia, but she has a twin: a reviewer chooses.
      row({ UNIQUE_ID: 'T-1', PERSON_FORENAME: 'Tia', PERSON_SURNAME: 'Twin', PERSON_DOB: '20200606', PERSON_POSTCODE: 'ME17 8CC' }),
      row({ UNIQUE_ID: 'N-1', PERSON_FORENAME: 'Nobody', PERSON_SURNAME: 'Known', PERSON_DOB: '20170101', PERSON_POSTCODE: 'ME19 1ZZ' }),
      row({ UNIQUE_ID: 'O-1', PERSON_FORENAME: 'Olga', PERSON_SURNAME: 'Outside', PERSON_DOB: '20190909', PERSON_POSTCODE: 'ME18 9DD' }),
    ]);
    expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 5, rowsRejected: 1, rowsApplied: 1 });
    expect(summary.counts).toMatchObject({ added: 1, review: 3 });
    expect(await eventsOf('C-1')).toEqual([{ status: 'ACTIVE', personId: ids.cara }]);
    // Nothing is attached to anyone until a reviewer says so.
    for (const id of ['D-1', 'T-1', 'O-1']) expect(await eventsOf(id)).toEqual([]);
    expect(await importRejects(coordinator, summary.id)).toEqual([
      { row: 4, field: 'NHS_NUMBER', reason: expect.stringMatching(/^No NHS number, and the details sent do not match one person/) },
    ]);

    const twins = await pending('T-1');
    expect(twins!.reason).toMatch(/twins/);
    expect(twins!.candidates.map((c) => [c.personId, c.twin])).toEqual(
      expect.arrayContaining([
        [ids.tia, true],
        [ids.tom, true],
      ]),
    );
    const doubtful = await pending('D-1');
    expect(doubtful!.incoming).toMatchObject({ nhsNumber: null, familyName: 'Doubtful', givenName: 'Dorothy', dateOfBirth: '2018-04-04' });
    expect(doubtful!.event).toMatchObject({ occurredOn: '2025-10-20', productCode: mmr, batchNumber: 'MM1', doseSequence: 1 });
    expect(doubtful!.candidates.map((c) => c.personId)).toEqual([ids.dora]);
    // Olga is outside the importer's scope: her row waits, and the importer is shown no one.
    expect((await pending('O-1'))!.candidates).toEqual([]);

    // The BusAck lists the failed row only; the totals count the rows held for review apart.
    const paths = await writeVaccinationAcks(coordinator, summary, join(dir, 'acks'));
    const bus = readFileSync(paths[1]!, 'utf8').trimEnd().split('\r\n');
    expect(bus).toHaveLength(2);
    expect(bus[1]!.split('|')[10]).toBe(`N-1^${URI}`);
    expect(JSON.parse(readFileSync(paths[2]!, 'utf8')).totals).toEqual({ records: 5, succeeded: 4, failed: 1, heldForReview: 3 });
  });

  it('records the reviewed event under the sender’s key, so the sender’s UPDATE finds it', async () => {
    const exchange = new ExchangeRepository(coordinator);
    const twins = (await pending('T-1'))!;
    const accepted = await exchange.decide({
      id: twins.id,
      decision: 'ACCEPT',
      personId: ids.tom!,
      note: 'Checked with the pharmacy: Tom.',
    });
    expect(accepted).toMatchObject({ status: 'ACCEPTED', personId: ids.tom });
    expect(await eventsOf('T-1')).toEqual([{ status: 'ACTIVE', personId: ids.tom }]);
    const keyed = await db.query(`SELECT event_id FROM ims.vaccination_feed_key WHERE unique_id_uri = $1 AND unique_id = 'T-1'`, [URI]);
    expect(Number(keyed.rows[0]!.event_id)).toBe(accepted.eventId);
    // The sender corrects it, now with Tom's NHS number: an UPDATE of the live event.
    const update = await run(coordinator, [
      row({
        UNIQUE_ID: 'T-1',
        ACTION_FLAG: 'UPDATE',
        NHS_NUMBER: nhs(4),
        PERSON_FORENAME: 'Tom',
        PERSON_SURNAME: 'Twin',
        PERSON_DOB: '20200606',
        PERSON_POSTCODE: 'ME17 8CC',
        DOSE_SEQUENCE: '2',
      }),
    ]);
    expect(update.counts).toMatchObject({ updated: 1 });
    expect((await eventsOf('T-1')).map((e) => e.status)).toEqual(['SUPERSEDED', 'ACTIVE']);

    const doubtful = (await pending('D-1'))!;
    await exchange.decide({ id: doubtful.id, decision: 'REJECT', personId: null, note: null });
    expect(await eventsOf('D-1')).toEqual([]);
    // A decided item is not decided twice.
    await expect(exchange.decide({ id: doubtful.id, decision: 'ACCEPT', personId: ids.dora!, note: null })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('lets no reviewer attach to someone outside their scope, and another practice’s user sees nothing of it', async () => {
    const item = (await pending('O-1'))!;
    await expect(
      new ExchangeRepository(coordinator).decide({ id: item.id, decision: 'ACCEPT', personId: ids.olga!, note: null }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await eventsOf('O-1')).toEqual([]);
    // The item was received by a G82001 user: a G82002 user is not shown it at all.
    expect((await new ExchangeRepository(other).reviewQueue('PENDING', 500)).map((i) => i.sourceId)).not.toContain('O-1');
  });

  it('replaces what waits on a NEW sent again, withdraws it on DELETE, and refuses an UPDATE of it', async () => {
    const before = (await pending('O-1'))!;
    const again = await run(coordinator, [
      row({
        UNIQUE_ID: 'O-1',
        PERSON_FORENAME: 'Olga',
        PERSON_SURNAME: 'Outside',
        PERSON_DOB: '20190909',
        PERSON_POSTCODE: 'ME18 9DD',
        BATCH_NUMBER: 'MM2',
      }),
    ]);
    expect(again.counts).toMatchObject({ review: 1 });
    const replaced = (await pending('O-1'))!;
    expect(replaced.id).toBe(before.id);
    expect(replaced.event?.batchNumber).toBe('MM2');

    const update = await run(coordinator, [
      row({
        UNIQUE_ID: 'O-1',
        ACTION_FLAG: 'UPDATE',
        PERSON_FORENAME: 'Olga',
        PERSON_SURNAME: 'Outside',
        PERSON_DOB: '20190909',
        PERSON_POSTCODE: 'ME18 9DD',
      }),
    ]);
    expect((await importRejects(coordinator, update.id)).map((r) => r.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/waits for review here/)]),
    );

    const withdrawn = await run(coordinator, [
      row({
        UNIQUE_ID: 'O-1',
        ACTION_FLAG: 'DELETE',
        PERSON_FORENAME: 'Olga',
        PERSON_SURNAME: 'Outside',
        PERSON_DOB: '20190909',
        PERSON_POSTCODE: 'ME18 9DD',
      }),
    ]);
    expect(withdrawn).toMatchObject({ rowsRejected: 0, rowsApplied: 1 });
    expect(withdrawn.counts).toMatchObject({ withdrawn: 1 });
    expect(await pending('O-1')).toBeUndefined();
    expect(await eventsOf('O-1')).toEqual([]);
  });

  it('keeps hostile details as data, and queues no row that fails a check of its own', async () => {
    const dora = { PERSON_SURNAME: 'Doubtful', PERSON_DOB: '20180404', PERSON_POSTCODE: 'ME16 7BB' };
    const summary = await run(coordinator, [
      // Quotes, a comment and an accent: compared as letters, stored as sent.
      row({ ...dora, UNIQUE_ID: 'H-1', PERSON_FORENAME: "Dö';--", PERSON_SURNAME: "Doubtful';--" }),
      row({ ...dora, UNIQUE_ID: 'H-2', PERSON_FORENAME: 'Dorothy', PERSON_DOB: '2018-04-04' }),
      row({ ...dora, UNIQUE_ID: 'H-3', PERSON_FORENAME: 'Dorothy', VACCINE_PRODUCT_CODE: '99999999' }),
      row({ ...dora, UNIQUE_ID: 'H-4', PERSON_FORENAME: 'Dorothy', UNIQUE_ID_URI: '' }),
      row({ ...dora, UNIQUE_ID: 'H-5', PERSON_FORENAME: 'Dorothy', ACTION_FLAG: 'UPDATE' }),
      // An expiry the register would refuse: this row's reject, not the whole file's error.
      row({
        UNIQUE_ID: 'H-6',
        NHS_NUMBER: nhs(1),
        PERSON_FORENAME: 'Cara',
        PERSON_SURNAME: 'Certain',
        PERSON_DOB: '20190303',
        EXPIRY_DATE: '20320101',
      }),
    ]);
    expect(summary).toMatchObject({ status: 'APPLIED', rowsRejected: 5, rowsApplied: 0 });
    expect(summary.counts).toMatchObject({ review: 1 });
    const rejects = await importRejects(coordinator, summary.id);
    expect(rejects.map((r) => [r.row, r.field])).toEqual(
      expect.arrayContaining([
        [2, 'PERSON_DOB'],
        [3, 'VACCINE_PRODUCT_CODE'],
        [4, 'UNIQUE_ID_URI'],
        [5, 'NHS_NUMBER'],
        [6, 'EXPIRY_DATE'],
      ]),
    );
    expect((await pending('H-1'))!.incoming).toMatchObject({ givenName: "Dö';--", familyName: "Doubtful';--" });
    for (const id of ['H-2', 'H-3', 'H-5']) expect(await pending(id)).toBeUndefined();
    expect(Number((await db.query(`SELECT count(*) AS n FROM ims.exchange_review WHERE source_id = 'H-4'`)).rows[0]!.n)).toBe(0);
  });

  it('knows a procedure code for every vaccine type of the register, and takes a 6-in-1 row', async () => {
    const without = await db.query(
      `SELECT DISTINCT v.vaccine_type FROM ims.vaccine_product v
       WHERE NOT EXISTS (SELECT 1 FROM ims.product_procedure pp WHERE pp.product_code = v.code) ORDER BY 1`,
    );
    expect(without.rows).toEqual([]);
    const hexa = (await db.query(`SELECT product_code FROM ims.product_procedure WHERE code = '1082441000000108' LIMIT 1`)).rows[0]!
      .product_code as string;
    const summary = await run(coordinator, [
      row({
        UNIQUE_ID: 'HEX-1',
        NHS_NUMBER: nhs(4),
        PERSON_FORENAME: 'Tom',
        PERSON_SURNAME: 'Twin',
        PERSON_DOB: '20200606',
        PERSON_POSTCODE: 'ME17 8CC',
        DATE_AND_TIME: '20200806T10000001',
        RECORDED_DATE: '20200806',
        VACCINATION_PROCEDURE_CODE: '1082441000000108',
        VACCINE_PRODUCT_CODE: hexa,
        EXPIRY_DATE: '20210101',
      }),
    ]);
    expect(summary).toMatchObject({ rowsApplied: 1, rowsRejected: 0 });
    expect(await eventsOf('HEX-1')).toEqual([{ status: 'ACTIVE', personId: ids.tom }]);
  });

  it('brings a row sent under a superseded NHS number to the person who has it now', async () => {
    const rhea = await addPerson(db, {
      nhsNumber: nhs(6),
      givenName: 'Rhea',
      familyName: 'Renumbered',
      dateOfBirth: '2019-01-01',
      practiceCode: 'G82001',
    });
    const retired = await addPerson(db, {
      nhsNumber: nhs(8),
      givenName: 'Mo',
      familyName: 'Merged',
      dateOfBirth: '2019-02-02',
      practiceCode: 'G82001',
    });
    const survivor = await addPerson(db, {
      nhsNumber: nhs(9),
      givenName: 'Mo',
      familyName: 'Merged',
      dateOfBirth: '2019-02-02',
      practiceCode: 'G82001',
    });
    // As the demographic feed leaves them (0039): nhs(7) replaced by nhs(6); nhs(8)'s record merged into nhs(9)'s.
    await db.query(
      `INSERT INTO ims.person_nhs_number_history (person_id, nhs_number, replaced_by, replaced_on) VALUES ($1, $2, $3, '2026-01-01'), ($4, $5, $6, '2026-01-01');
       INSERT INTO ims.person_merge (retired_person_id, surviving_person_id) VALUES ($7, $4)`.replace(
        /\$(\d)/g,
        (_, d: string) =>
          [`${rhea}`, `'${nhs(7)}'`, `'${nhs(6)}'`, `${survivor}`, `'${nhs(8)}'`, `'${nhs(9)}'`, `${retired}`][Number(d) - 1]!,
      ),
    );
    const base = { DATE_AND_TIME: '20250101T10000000', RECORDED_DATE: '20250101', EXPIRY_DATE: '20260101', PERSON_POSTCODE: 'ME20 1AA' };
    const summary = await run(coordinator, [
      row({ ...base, UNIQUE_ID: 'S-1', NHS_NUMBER: nhs(7), PERSON_FORENAME: 'Rhea', PERSON_SURNAME: 'Renumbered', PERSON_DOB: '20190101' }),
      row({ ...base, UNIQUE_ID: 'S-2', NHS_NUMBER: nhs(8), PERSON_FORENAME: 'Mo', PERSON_SURNAME: 'Merged', PERSON_DOB: '20190202' }),
      // The old number with another date of birth is still not the person.
      row({ ...base, UNIQUE_ID: 'S-3', NHS_NUMBER: nhs(7), PERSON_FORENAME: 'Rhea', PERSON_SURNAME: 'Renumbered', PERSON_DOB: '20190102' }),
    ]);
    expect(summary).toMatchObject({ rowsApplied: 2, rowsRejected: 1 });
    expect(await eventsOf('S-1')).toEqual([{ status: 'ACTIVE', personId: rhea }]);
    expect(await eventsOf('S-2')).toEqual([{ status: 'ACTIVE', personId: survivor }]);
    expect((await importRejects(coordinator, summary.id)).map((r) => [r.row, r.field])).toEqual([[3, 'NHS_NUMBER']]);
  });

  it('keeps a row waiting for review out of the register when its file goes over the reject threshold', async () => {
    const summary = await runImport(coordinator, {
      kind: 'vaccination-batch-v5',
      path: file([
        row({
          UNIQUE_ID: 'D-2',
          PERSON_FORENAME: 'Dorothy',
          PERSON_SURNAME: 'Doubtful',
          PERSON_DOB: '20180404',
          PERSON_POSTCODE: 'ME16 7BB',
        }),
        row({ UNIQUE_ID: 'N-2', PERSON_FORENAME: 'Nobody', PERSON_SURNAME: 'Known', PERSON_DOB: '20170101', PERSON_POSTCODE: 'ME19 1ZZ' }),
      ]).path,
      fileName: 'MMR_Vaccinations_v5_G82001_20261130T10000000.csv',
      today: TODAY,
      maxRejectPercent: 10,
    });
    expect(summary.status).toBe('OVER_THRESHOLD');
    expect(await pending('D-2')).toBeUndefined();
  });
});

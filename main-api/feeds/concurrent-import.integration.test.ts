// Two imports of one identical file at the same moment (migration 0079), by two real login roles
// on connections of their own: the second waits for the first to finish and answers "already
// applied"; neither ends in a database error, and the file's rows are applied once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import {
  addPerson,
  connectAs,
  dropRoles,
  nhsSequence,
  TWO_PRACTICES_SQL,
  userConnections,
  type UserConnections,
} from '../../tests/support/fixtures';
import type { FeedKindCode } from '../shared/vocabulary/feeds';
import { runImport } from './import.service';
import { FEED_KIND_DEFINITIONS } from './kinds';
import { V5_HEADER } from './vaccination-batch.rules';

const nhs = nhsSequence(999_840_000, 19);
const PASSWORD = 'concurrent-import-password';
const NAME = 'MMR_Vaccinations_v5_G82001_20261130T10000000.csv';
const ODS_URI = 'https://fhir.nhs.uk/Id/ods-organization-code';

describe('two imports of one file at once', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let first: DataSource;
  let second: DataSource;
  let gate: pg.Client;
  const names = { first: uniqueName('t_ci_one'), second: uniqueName('t_ci_two') };
  const dir = mkdtempSync(join(tmpdir(), 'ims-ci-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    await addPerson(db, { nhsNumber: nhs(1), givenName: 'Ada', familyName: 'Once', dateOfBirth: '2020-01-15', practiceCode: 'G82001' });
    for (const name of Object.values(names)) {
      await addUser(db.url, { name, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    }
    first = await connections.open({ name: names.first, password: PASSWORD });
    second = await connections.open({ name: names.second, password: PASSWORD });
    gate = await connectAs(db.url);
  });

  afterAll(async () => {
    await gate?.end();
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  /** Backends of the two importers waiting on a lock. */
  const waiting = async (): Promise<number> =>
    Number(
      (
        await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE usename = ANY ($1) AND wait_event_type = 'Lock'`, [
          Object.values(names),
        ])
      ).rows[0]!.n,
    );

  it('lets the second wait for the first, then answers ALREADY_APPLIED; the rows are applied once', async () => {
    const mmr = (await db.query(`SELECT product_code FROM ims.product_procedure WHERE code = '38598009' LIMIT 1`)).rows[0]!.product_code;
    const values: Partial<Record<(typeof V5_HEADER)[number], string>> = {
      NHS_NUMBER: nhs(1),
      PERSON_FORENAME: 'Ada',
      PERSON_SURNAME: 'Once',
      PERSON_DOB: '20200115',
      PERSON_GENDER_CODE: '2',
      PERSON_POSTCODE: 'ME14 1AA',
      DATE_AND_TIME: '20211020T10300001',
      SITE_CODE: 'G82001',
      SITE_CODE_TYPE_URI: ODS_URI,
      UNIQUE_ID: 'SAME-1',
      UNIQUE_ID_URI: 'https://supplier.example/ids',
      ACTION_FLAG: 'NEW',
      RECORDED_DATE: '20211020',
      PRIMARY_SOURCE: 'FALSE',
      VACCINATION_PROCEDURE_CODE: '38598009',
      VACCINE_PRODUCT_CODE: mmr,
      LOCATION_CODE: 'G82001',
      LOCATION_CODE_TYPE_URI: ODS_URI,
    };
    const path = join(dir, NAME);
    writeFileSync(path, `${V5_HEADER.join('|')}\r\n${V5_HEADER.map((c) => values[c] ?? '').join('|')}\r\n`);

    await bothAtOnce('vaccination-batch-v5', path, NAME, 'ims.vaccination_feed_key');
    const events = await db.query(`SELECT 1 FROM ims.vaccination_event WHERE source_id = 'SAME-1'`);
    expect(events.rowCount).toBe(1);
  });

  it('does the same for a demographic delta, whose rows carry keys of their own', async () => {
    const columns = FEED_KIND_DEFINITIONS['demographics-delta'].columns;
    const values: Record<string, string> = {
      record_id: 'same-delta-1',
      change_type: 'NAME',
      nhs_number: nhs(1),
      family_name: 'Twice',
      given_name: 'Ada',
    };
    const path = join(dir, 'delta.txt');
    writeFileSync(path, `${columns.join('|')}\n${columns.map((c) => values[c] ?? '').join('|')}\n`);
    await bothAtOnce('demographics-delta', path, 'delta.txt', 'ims.feed_row_key');
    const keys = await db.query(`SELECT 1 FROM ims.feed_row_key WHERE record_key = 'same-delta-1'`);
    expect(keys.rowCount).toBe(1);
  });

  /**
   * Runs the file's import as both users at once. Both are held inside their finish (the kind's
   * checks read `table`, which the gate locks) until both are there, so they truly meet; then
   * they go. One applies the file, the other answers that it was applied.
   */
  async function bothAtOnce(kind: FeedKindCode, path: string, fileName: string, table: string): Promise<void> {
    await gate.query('BEGIN');
    await gate.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const both = Promise.all([first, second].map((ds) => runImport(ds, { kind, path, fileName, today: '2026-11-30' })));
    const outcome = both.then(
      (r) => r,
      (e: unknown) => e,
    );
    for (let i = 0; i < 200 && (await waiting()) < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await waiting()).toBe(2);
    await gate.query('COMMIT');

    const result = await outcome;
    expect(result).toBeInstanceOf(Array);
    const [a, b] = result as Awaited<typeof both>;
    const [applied, again] = a!.status === 'APPLIED' ? [a!, b!] : [b!, a!];
    expect(applied).toMatchObject({ status: 'APPLIED', rowsApplied: 1, rowsRejected: 0 });
    expect(again).toMatchObject({ status: 'ALREADY_APPLIED', sameAs: applied.id, rowsApplied: 0 });
  }
});

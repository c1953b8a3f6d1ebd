// Reference geography through the import pipeline, as real login roles: the shipped synthetic
// set (ONS postcode directory, IMD, ODS practices, GIAS schools) imported and the lookups it
// answers; people placed again when their postcode's or LSOA's geography changes, through the
// status queue; re-runs changing nothing; and malformed files of each kind, each with its own
// file-level refusal or row and field, nothing of them applied.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { insertReferenceData, readDemoRegion } from '../demo/region';
import type { DbClient } from '../platform/db/database';
import { openDataSource } from '../platform/db/datasource';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { addPerson, dropRoles, nhsSequence, TWO_PRACTICES_SQL, userConnections, type UserConnections } from '../../tests/support/fixtures';
import { resourcesDir } from '../platform/paths';
import type { FeedKindCode } from '../shared/vocabulary/feeds';
import { importRejects } from './feeds.repository';
import { runImport } from './import.service';
import { FEED_KIND_DEFINITIONS } from './kinds';

const nhs = nhsSequence(999_830_000, 17);
const PASSWORD = 'geography-feed-password';
const TODAY = '2026-11-30';
const SET = join(resourcesDir(), 'reference', 'geography');
const SYNTHETIC: Record<'onspd-postcodes' | 'imd-lsoa' | 'ods-gp-practices' | 'gias-schools', string> = {
  'imd-lsoa': 'IoD2025_demo_File_1.csv',
  'onspd-postcodes': 'ONSPD_DEMO_UK.csv',
  'ods-gp-practices': 'epraccur_demo.csv',
  'gias-schools': 'edubasealldata_demo.csv',
};
const synthetic = (kind: keyof typeof SYNTHETIC): string => readFileSync(join(SET, SYNTHETIC[kind]), 'latin1');

/** A file's header line and a row built from it, with some values replaced by column name. */
function csvOf(header: string, values: Record<string, string>[]): string {
  const names = header.split(',').map((h) => h.replace(/^"|"$/g, ''));
  const q = (v: string) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [header, ...values.map((v) => names.map((n) => q(v[n] ?? '')).join(','))].join('\r\n') + '\r\n';
}
const ONSPD_HEADER = synthetic('onspd-postcodes').split('\r\n', 1)[0]!;
const IMD_HEADER = synthetic('imd-lsoa').split('\r\n', 1)[0]!;
const GIAS_HEADER = synthetic('gias-schools').split('\r\n', 1)[0]!;
const ODS = FEED_KIND_DEFINITIONS['ods-gp-practices'].columns;

const onspdRow = (over: Record<string, string> = {}) => ({
  pcds: 'ME1 1AA',
  dointr: '198001',
  doterm: '',
  oslaua: 'E06000035',
  lsoa21: 'E01990001',
  icb: 'E54000032',
  rgn: 'E12000008',
  ...over,
});
const imdRow = (over: Record<string, string> = {}) => ({
  'LSOA code (2021)': 'E01990001',
  'LSOA name (2021)': 'Medway demo 001A',
  'Local Authority District code (2024)': 'E06000035',
  'Local Authority District name (2024)': 'Medway',
  'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)': '16344',
  'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)': '5',
  ...over,
});
const odsLine = (over: Record<string, string> = {}) => {
  const v: Record<string, string> = {
    organisation_code: 'G89091',
    name: 'Test Surgery',
    national_grouping: 'Y59',
    high_level_health_geography: 'QKS',
    address_line_1: '1 Test Street',
    postcode: 'ME5 9YB',
    open_date: '19900101',
    status_code: 'A',
    prescribing_setting: '4',
    ...over,
  };
  return ODS.map((c) => `"${v[c] ?? ''}"`).join(',');
};
const giasRow = (over: Record<string, string> = {}) => ({
  URN: '900901',
  'LA (code)': '887',
  EstablishmentName: 'Test Primary School',
  'TypeOfEstablishment (name)': 'Community school',
  'EstablishmentStatus (name)': 'Open',
  'PhaseOfEducation (name)': 'Primary',
  StatutoryLowAge: '4',
  StatutoryHighAge: '11',
  Postcode: 'ME5 9BG',
  'DistrictAdministrative (code)': 'E06000035',
  ...over,
});

describe('reference geography feeds', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let admin: DataSource;
  let coordinator: DataSource;
  const names = { admin: uniqueName('t_geo_admin'), coordinator: uniqueName('t_geo_coord') };
  const dir = mkdtempSync(join(tmpdir(), 'ims-geo-'));
  let fileNo = 0;
  const file = (text: string, name = `geo-${++fileNo}.csv`) => {
    const path = join(dir, name);
    writeFileSync(path, text, 'latin1');
    return { path, name };
  };
  const run = (ds: DataSource, kind: FeedKindCode, text: string, maxRejectPercent?: number) => {
    const f = file(text);
    return runImport(ds, { kind, path: f.path, fileName: f.name, today: TODAY, maxRejectPercent });
  };
  const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0] as Record<string, unknown> | undefined;
  let personId: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TWO_PRACTICES_SQL);
    // The register's area: the demo's local authorities, nothing else of its geography.
    const { region } = readDemoRegion();
    for (const la of region.localAuthorities) {
      await db.query(`INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES ($1, $2, 'QKS', 'Y59')`, [
        la.code,
        la.name,
      ]);
    }
    await addUser(db.url, { name: names.admin, role: 'administrator', orgs: ['Y59'], password: PASSWORD });
    await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['G82001'], password: PASSWORD });
    admin = await connections.open({ name: names.admin, password: PASSWORD });
    coordinator = await connections.open({ name: names.coordinator, password: PASSWORD });
    personId = await addPerson(db, {
      nhsNumber: nhs(1),
      givenName: 'Geo',
      familyName: 'Placed',
      dateOfBirth: '2020-01-02',
      practiceCode: 'G82001',
      postcode: 'ME1 1AA',
    });
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  it('imports the synthetic set and answers the lookups', async () => {
    const imd = await run(admin, 'imd-lsoa', synthetic('imd-lsoa'));
    expect(imd).toMatchObject({ status: 'APPLIED', rowsTotal: 310, rowsRejected: 0 });
    expect(imd.counts).toMatchObject({ added: 310, outside: 0 });

    await db.query(`DELETE FROM ims.series_status_stale`);
    const onspd = await run(admin, 'onspd-postcodes', synthetic('onspd-postcodes'));
    expect(onspd).toMatchObject({ status: 'APPLIED', rowsRejected: 0 });
    expect(onspd.counts).toMatchObject({ outside: 2, terminated: 4, people: 1 });
    expect(await one(`SELECT * FROM ims.postcode_lookup WHERE postcode = 'ME1 1AA'`)).toMatchObject({
      lsoa_code: 'E01990001',
      la_code: 'E06000035',
      icb_code: 'E54000032',
      region_code: 'E12000008',
      terminated: null,
    });
    expect(await one(`SELECT terminated::text FROM ims.postcode_lookup WHERE postcode = 'ME1 1ZZ'`)).toEqual({ terminated: '2021-03-01' });
    expect(await one(`SELECT 1 AS x FROM ims.postcode_lookup WHERE postcode = 'CF10 1AA'`)).toBeUndefined();
    // The person at ME1 1AA is placed by it, and queued for the status and cohort facts.
    expect(await one(`SELECT lsoa_code, imd_decile, la_code FROM ims.person WHERE id = $1`, [personId])).toEqual({
      lsoa_code: 'E01990001',
      imd_decile: 5,
      la_code: 'E06000035',
    });
    expect(await one(`SELECT 1 AS x FROM ims.series_status_stale WHERE person_id = $1`, [personId])).toBeDefined();

    const ods = await run(admin, 'ods-gp-practices', synthetic('ods-gp-practices'));
    expect(ods).toMatchObject({ status: 'APPLIED', rowsTotal: 52, rowsRejected: 0, lineEnding: 'CRLF' });
    expect(ods.counts).toMatchObject({ added: 51, other_settings: 1 });
    expect(
      await one(
        `SELECT o.name, o.parent_code, o.active, g.la_code, g.address FROM ims.organisation o JOIN ims.gp_practice g USING (code) WHERE code = 'G89001'`,
      ),
    ).toEqual({
      name: 'Chatham Surgery',
      parent_code: 'QKS',
      active: true,
      la_code: 'E06000035',
      address: '58 High Street, Chatham',
    });
    expect(await one(`SELECT active FROM ims.organisation WHERE code = 'G89098'`)).toEqual({ active: false });
    expect(await one(`SELECT 1 AS x FROM ims.organisation WHERE code = 'Y09099'`)).toBeUndefined();

    const gias = await run(admin, 'gias-schools', synthetic('gias-schools'));
    expect(gias).toMatchObject({ status: 'APPLIED', rowsTotal: 114, rowsRejected: 0 });
    expect(gias.counts).toMatchObject({ added: 113, outside: 1 });
    const phases = await db.query(`SELECT phase, count(*)::int AS n FROM ims.school GROUP BY phase ORDER BY phase`);
    expect(Object.fromEntries(phases.rows.map((r) => [r.phase, r.n]))).toEqual({ ALL_THROUGH: 4, PRIMARY: 67, SECONDARY: 29, SPECIAL: 13 });
    expect(await one(`SELECT la_code, status, close_date::text, low_age, high_age FROM ims.school WHERE urn = '900998'`)).toEqual({
      la_code: 'E06000035',
      status: 'Closed',
      close_date: '2018-08-31',
      low_age: 4,
      high_age: 7,
    });
  });

  it('re-running changes nothing: the same file, or the same rows in another file', async () => {
    for (const kind of Object.keys(SYNTHETIC) as (keyof typeof SYNTHETIC)[]) {
      const again = await run(admin, kind, synthetic(kind));
      expect(again.status).toBe('ALREADY_APPLIED');
      const other = await run(admin, kind, synthetic(kind).replaceAll('\r\n', '\n'));
      expect(other.status).toBe('APPLIED');
      expect(other.counts).toMatchObject({ added: 0, updated: 0 });
      if ('people' in other.counts) expect(other.counts.people).toBe(0);
    }
  });

  it("places people again when an LSOA's decile or a postcode's LSOA changes", async () => {
    await db.query(`DELETE FROM ims.series_status_stale`);
    const imd = await run(
      admin,
      'imd-lsoa',
      csvOf(IMD_HEADER, [imdRow({ 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)': '2' })]),
    );
    expect(imd.counts).toMatchObject({ updated: 1, people: 1 });
    expect(await one(`SELECT imd_decile FROM ims.person WHERE id = $1`, [personId])).toEqual({ imd_decile: 2 });
    expect(await one(`SELECT 1 AS x FROM ims.series_status_stale WHERE person_id = $1`, [personId])).toBeDefined();

    // Someone whose postcode the directory does not hold keeps their LSOA and takes its new decile.
    const unlisted = await addPerson(db, {
      nhsNumber: nhs(2),
      givenName: 'Geo',
      familyName: 'Unlisted',
      dateOfBirth: '2020-01-02',
      practiceCode: 'G82001',
      postcode: 'ME1 1QQ',
    });
    await db.query(`UPDATE ims.person SET lsoa_code = 'E01990003', imd_decile = 1, la_code = 'E06000035' WHERE id = $1`, [unlisted]);
    const renewed = await run(
      admin,
      'imd-lsoa',
      csvOf(IMD_HEADER, [
        imdRow({
          'LSOA code (2021)': 'E01990003',
          'LSOA name (2021)': 'Medway demo 003C',
          'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)': '9',
        }),
      ]),
    );
    expect(renewed.counts).toMatchObject({ updated: 1, people: 1 });
    expect(await one(`SELECT lsoa_code, imd_decile, la_code FROM ims.person WHERE id = $1`, [unlisted])).toEqual({
      lsoa_code: 'E01990003',
      imd_decile: 9,
      la_code: 'E06000035',
    });

    const moved = await run(admin, 'onspd-postcodes', csvOf(ONSPD_HEADER, [onspdRow({ lsoa21: 'E01990002' })]));
    expect(moved.counts).toMatchObject({ updated: 1, people: 1 });
    expect(await one(`SELECT lsoa_code, imd_decile FROM ims.person WHERE id = $1`, [personId])).toEqual({
      lsoa_code: 'E01990002',
      imd_decile: 3,
    });
  });

  it('places people the demographic feeds register by the directory, local authority included', async () => {
    const columns = FEED_KIND_DEFINITIONS['demographics-full'].columns;
    const v: Record<string, string> = {
      nhs_number: nhs(3),
      family_name: 'Geo',
      given_name: 'Fed',
      date_of_birth: '2019-05-06',
      gender: '2',
      postcode: 'me12aa',
      practice_code: 'G82001',
    };
    const summary = await run(admin, 'demographics-full', [columns.join('|'), columns.map((c) => v[c] ?? '').join('|')].join('\n'));
    expect(summary.status).toBe('APPLIED');
    // No postcode sectors are loaded here: the local authority is the directory's.
    expect(await one(`SELECT lsoa_code, imd_decile, la_code FROM ims.person WHERE nhs_number = $1`, [nhs(3)])).toEqual({
      lsoa_code: 'E01990002',
      imd_decile: 3,
      la_code: 'E06000035',
    });
  });

  it('takes reference data from administrators only, refused before the file is read', async () => {
    const before = await one(`SELECT count(*)::int AS n FROM ims.feed_import`);
    await expect(run(coordinator, 'imd-lsoa', csvOf(IMD_HEADER, [imdRow()]))).rejects.toThrow(
      /Only administrators may import reference data/,
    );
    expect(await one(`SELECT count(*)::int AS n FROM ims.feed_import`)).toEqual(before);
  });

  it('takes hostile values in every column as plain data: each row rejected, nothing applied, nothing broken', async () => {
    const tables = ['ims.postcode_lookup', 'ims.lsoa', 'ims.local_authority', 'ims.organisation', 'ims.gp_practice', 'ims.school'];
    const snapshot = async () =>
      Promise.all(
        tables.map(
          async (t) => (await db.query(`SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM ${t} x`)).rows[0]!.h,
        ),
      );
    const before = await snapshot();
    const hostile = [
      "' OR '1'='1",
      "x'); DROP TABLE ims.person; --",
      '$$; DROP TABLE ims.lsoa; $$',
      'A'.repeat(10_001),
      'line\nbreak',
      '"',
      '\u202e',
      '9'.repeat(40),
    ];
    for (const kind of Object.keys(SYNTHETIC) as (keyof typeof SYNTHETIC)[]) {
      const k = FEED_KIND_DEFINITIONS[kind];
      const width = (k.header ?? k.columns).length;
      const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
      const lines = k.headerless ? [] : [(k.header ?? k.columns).map(q).join(',')];
      for (const v of hostile) lines.push(Array(width).fill(q(v)).join(','));
      const summary = await run(admin, kind, lines.join('\r\n') + '\r\n', 100);
      expect(summary).toMatchObject({
        status: 'APPLIED',
        rowsTotal: hostile.length,
        rowsRejected: hostile.length,
        rowsApplied: 0,
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  describe('malformed files: refused whole, or the row rejected with its field, nothing of it applied', () => {
    const lookup = (pc: string) => one(`SELECT lsoa_code FROM ims.postcode_lookup WHERE postcode = $1`, [pc]);
    const refusals: [string, FeedKindCode, string, RegExp][] = [
      [
        'an ONSPD header without lsoa21',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER.replace(',lsoa21,', ',lsoa2021,'), [onspdRow({ pcds: 'ME1 1FA' })]),
        /no column "lsoa21"/,
      ],
      [
        'an ONSPD header naming pcds twice',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER.replace('pcd2', 'pcds'), [onspdRow({ pcds: 'ME1 1FA' })]),
        /pcds twice/,
      ],
      [
        'an IMD file without its decile',
        'imd-lsoa',
        csvOf(IMD_HEADER.replace(/,Index of Multiple Deprivation \(IMD\) Decile[^,]*$/, ''), [imdRow()]),
        /no column "Index of Multiple Deprivation \(IMD\) Decile/,
      ],
      [
        'an IMD file of 2019 (LSOA 2011 codes)',
        'imd-lsoa',
        csvOf(IMD_HEADER.replace('LSOA code (2021)', 'LSOA code (2011)'), [imdRow()]),
        /no column "LSOA code \(2021\)"/,
      ],
      ['a GIAS file without URN', 'gias-schools', csvOf(GIAS_HEADER.replace('"URN"', '"Urn"'), [giasRow()]), /no column "URN"/],
      ['an empty ODS file', 'ods-gp-practices', '', /empty/],
    ];
    for (const [what, kind, text, reason] of refusals) {
      it(`refuses ${what}`, async () => {
        const summary = await run(admin, kind, text);
        expect(summary.status).toBe('FILE_REFUSED');
        expect(summary.message).toMatch(reason);
        expect(await lookup('ME1 1FA')).toBeUndefined();
      });
    }

    // Each: a good row, then the bad one (row 2), with the threshold at 100 so the good one applies.
    const rows: [string, FeedKindCode, string, string, RegExp, string][] = [
      [
        'an invalid postcode',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER, [onspdRow({ pcds: 'ME1 1GA' }), onspdRow({ pcds: 'ME1 QQ1' })]),
        'pcds',
        /not a valid UK postcode/,
        `SELECT 1 FROM ims.postcode_lookup WHERE postcode LIKE 'ME1 Q%'`,
      ],
      [
        'a month of introduction as a date',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER, [onspdRow({ pcds: 'ME1 1HA' }), onspdRow({ pcds: 'ME1 1HB', dointr: '2020-01' })]),
        'dointr',
        /YYYYMM/,
        `SELECT 1 FROM ims.postcode_lookup WHERE postcode = 'ME1 1HB'`,
      ],
      [
        'termination before introduction',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER, [onspdRow({ pcds: 'ME1 1JA' }), onspdRow({ pcds: 'ME1 1JB', dointr: '202001', doterm: '201901' })]),
        'doterm',
        /before it was introduced/,
        `SELECT 1 FROM ims.postcode_lookup WHERE postcode = 'ME1 1JB'`,
      ],
      [
        'an unknown LSOA in the area',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER, [onspdRow({ pcds: 'ME1 1LA' }), onspdRow({ pcds: 'ME1 1LB', lsoa21: 'E01000001' })]),
        'lsoa21',
        /Unknown LSOA E01000001/,
        `SELECT 1 FROM ims.postcode_lookup WHERE postcode = 'ME1 1LB'`,
      ],
      [
        'a repeated postcode',
        'onspd-postcodes',
        csvOf(ONSPD_HEADER, [onspdRow({ pcds: 'ME1 1NA' }), onspdRow({ pcds: 'me11na', lsoa21: 'E01990002' })]),
        'pcds',
        /repeated \(first on row 1\)/,
        `SELECT 1 FROM ims.postcode_lookup WHERE postcode = 'ME1 1NA' AND lsoa_code = 'E01990002'`,
      ],
      [
        'a decile out of 1 to 10',
        'imd-lsoa',
        csvOf(IMD_HEADER, [
          imdRow({
            'LSOA code (2021)': 'E01990003',
            'LSOA name (2021)': 'Medway demo 003C',
            'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)': '1',
          }),
          imdRow({ 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)': '11' }),
        ]),
        'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)',
        /1 to 10/,
        `SELECT 1 FROM ims.lsoa WHERE imd_decile > 10 OR (code = 'E01990001' AND imd_decile <> 2)`,
      ],
      [
        'a rank that is not a number',
        'imd-lsoa',
        csvOf(IMD_HEADER, [
          imdRow({ 'LSOA code (2021)': 'E01990003', 'LSOA name (2021)': 'Medway demo 003C' }),
          imdRow({ 'LSOA code (2021)': 'E01990004', 'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)': 'high' }),
        ]),
        'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)',
        /whole number/,
        `SELECT 1 FROM ims.lsoa WHERE code = 'E01990004' AND name = 'Medway demo 001A'`,
      ],
      [
        'a Welsh LSOA code',
        'imd-lsoa',
        csvOf(IMD_HEADER, [
          imdRow({ 'LSOA code (2021)': 'E01990003', 'LSOA name (2021)': 'Medway demo 003C' }),
          imdRow({ 'LSOA code (2021)': 'W01000001' }),
        ]),
        'LSOA code (2021)',
        /not an English LSOA code/,
        `SELECT 1 FROM ims.lsoa WHERE code = 'W01000001'`,
      ],
      [
        'a row of 26 values',
        'ods-gp-practices',
        [odsLine(), odsLine({ organisation_code: 'G89092' }).replace(/,""$/, '')].join('\r\n'),
        '',
        /26 values; the header has 27/,
        `SELECT 1 FROM ims.organisation WHERE code = 'G89092'`,
      ],
      [
        'an unknown status',
        'ods-gp-practices',
        [odsLine(), odsLine({ organisation_code: 'G89093', status_code: 'X' })].join('\r\n'),
        'status_code',
        /A \(active\)/,
        `SELECT 1 FROM ims.organisation WHERE code = 'G89093'`,
      ],
      [
        'an open date written with dashes',
        'ods-gp-practices',
        [odsLine(), odsLine({ organisation_code: 'G89094', open_date: '1990-01-01' })].join('\r\n'),
        'open_date',
        /YYYYMMDD/,
        `SELECT 1 FROM ims.organisation WHERE code = 'G89094'`,
      ],
      [
        'a code that is not a practice code',
        'ods-gp-practices',
        [odsLine(), odsLine({ organisation_code: 'QKS' })].join('\r\n'),
        'organisation_code',
        /not a GP practice code/,
        `SELECT 1 FROM ims.organisation WHERE code = 'QKS' AND name = 'Test Surgery'`,
      ],
      [
        'a URN that is not a number',
        'gias-schools',
        csvOf(GIAS_HEADER, [giasRow(), giasRow({ URN: 'ABC123' })]),
        'URN',
        /6 digits/,
        `SELECT 1 FROM ims.school WHERE urn = 'ABC123'`,
      ],
      [
        'an unknown phase',
        'gias-schools',
        csvOf(GIAS_HEADER, [giasRow(), giasRow({ URN: '900902', 'PhaseOfEducation (name)': 'Elementary' })]),
        'PhaseOfEducation (name)',
        /Unknown phase of education Elementary/,
        `SELECT 1 FROM ims.school WHERE urn = '900902'`,
      ],
      [
        'an impossible close date',
        'gias-schools',
        csvOf(GIAS_HEADER, [giasRow(), giasRow({ URN: '900903', CloseDate: '31-02-2020' })]),
        'CloseDate',
        /not a real date/,
        `SELECT 1 FROM ims.school WHERE urn = '900903'`,
      ],
      [
        'a high age below the low age',
        'gias-schools',
        csvOf(GIAS_HEADER, [giasRow(), giasRow({ URN: '900904', StatutoryLowAge: '11', StatutoryHighAge: '4' })]),
        'StatutoryHighAge',
        /below the low age/,
        `SELECT 1 FROM ims.school WHERE urn = '900904'`,
      ],
    ];
    for (const [what, kind, text, field, reason, appliedSql] of rows) {
      it(`rejects ${what} (${kind})`, async () => {
        const summary = await run(admin, kind, text, 100);
        expect(summary).toMatchObject({ status: 'APPLIED', rowsTotal: 2, rowsRejected: 1, rowsApplied: 1 });
        const rejects = await importRejects(admin, summary.id);
        expect(rejects.length).toBeGreaterThan(0);
        expect(rejects.every((r) => r.row === 2)).toBe(true);
        expect(rejects.some((r) => (r.field ?? '') === field && reason.test(r.reason))).toBe(true);
        expect((await db.query(appliedSql)).rowCount).toBe(0);
      });
    }

    it('refuses a file whose rows are rejected past the threshold, applying none', async () => {
      const summary = await run(
        admin,
        'gias-schools',
        csvOf(GIAS_HEADER, [giasRow({ URN: '900905' }), giasRow({ URN: '900906', 'EstablishmentStatus (name)': 'Shut' })]),
      );
      expect(summary.status).toBe('OVER_THRESHOLD');
      expect(await importRejects(admin, summary.id)).toEqual([
        { row: 2, field: 'EstablishmentStatus (name)', reason: 'Unknown establishment status Shut.' },
      ]);
      expect((await db.query(`SELECT 1 FROM ims.school WHERE urn IN ('900905', '900906')`)).rowCount).toBe(0);
    });
  });

  it("agrees with the demo region's own geography, practices and schools (imported as the owner)", async () => {
    const demo = await createTestDatabase();
    const owner = await openDataSource(demo.url);
    try {
      await insertReferenceData({ query: demo.query } as unknown as DbClient, readDemoRegion().region);
      const rows = async (sql: string) => JSON.stringify((await demo.query(sql)).rows);
      const lsoas = await rows(`SELECT code, name, la_code, imd_rank, imd_decile FROM ims.lsoa ORDER BY code`);
      const practices = await rows(
        `SELECT o.code, o.name, o.postcode, o.active, o.parent_code, g.address, g.phone FROM ims.organisation o JOIN ims.gp_practice g USING (code) ORDER BY code`,
      );
      const schools = await rows(`SELECT urn, name, phase, la_code, postcode FROM ims.school ORDER BY urn`);
      const runAs = (kind: keyof typeof SYNTHETIC) =>
        runImport(owner, { kind, path: join(SET, SYNTHETIC[kind]), fileName: SYNTHETIC[kind], today: TODAY });
      expect((await runAs('imd-lsoa')).counts).toMatchObject({ added: 0, updated: 0, unchanged: 310 });
      expect(await rows(`SELECT code, name, la_code, imd_rank, imd_decile FROM ims.lsoa ORDER BY code`)).toBe(lsoas);
      expect((await runAs('onspd-postcodes')).counts).toMatchObject({ outside: 2 });
      expect((await runAs('ods-gp-practices')).counts).toMatchObject({ added: 1, other_settings: 1 });
      expect(
        await rows(
          `SELECT o.code, o.name, o.postcode, o.active, o.parent_code, g.address, g.phone FROM ims.organisation o JOIN ims.gp_practice g USING (code) WHERE code <> 'G89098' ORDER BY code`,
        ),
      ).toBe(practices);
      expect((await runAs('gias-schools')).counts).toMatchObject({ added: 1, outside: 1 });
      expect(await rows(`SELECT urn, name, phase, la_code, postcode FROM ims.school WHERE urn <> '900998' ORDER BY urn`)).toBe(schools);
    } finally {
      await owner.destroy();
      await demo.drop();
    }
  });
});

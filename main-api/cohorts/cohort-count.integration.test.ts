// Cohort counts on crafted people, as real login roles: each criterion and exclusion, the
// birthday boundaries the cells cannot decide alone, the same figures read from the cells and
// person by person, the scope, freshness after a change, hostile values, and who may count.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { CohortDefinition, type CohortCount } from '../contract/cohorts';
import { openDataSource } from '../platform/db/datasource';
import { resourcesDir } from '../platform/paths';
import { drainStatusQueue, inTransaction } from '../schedule-status/status-queue.service';
import { scheduleRules } from '../schedule';
import { todayInLondon } from '../shared/calendar/england';
import { AGE_BAND_STARTS, COHORT_EXCLUSIONS } from '../shared/vocabulary/cohorts';
import { ETHNIC_GROUP_OF, type EthnicCategory } from '../shared/vocabulary/ethnicity';
import { PRODUCT } from '../shared/vocabulary/products';
import { createCohortHandlers } from './cohorts.service';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { connectAs, nhsSequence, userConnections, type UserConnections } from '../../tests/support/fixtures';

const nhs = nhsSequence(999_640_000, 7);
const REF = '2027-03-31';

const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'), ('QXX', 'Elsewhere ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS'), ('G99001', 'Far Surgery', 'GP', 'QXX'),
  ('RXX', 'Kent Hospitals', 'TRUST', 'QKS');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G99001');
INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES
  ('E06000035', 'Medway', 'QKS', 'Y59'), ('E07000110', 'Maidstone', 'QKS', 'Y59'), ('E06000999', 'Far Away', 'QXX', 'Y59');
INSERT INTO ims.lsoa (code, name, la_code, imd_decile) VALUES
  ('E01016001', 'Medway 001A', 'E06000035', 1), ('E01016002', 'Maidstone 002B', 'E07000110', 9), ('E01099999', 'Far 001A', 'E06000999', 5);
INSERT INTO ims.school (urn, name, phase, la_code) VALUES ('118000', 'Hill Primary', 'PRIMARY', 'E06000035');
`;

interface Crafted {
  dob: string;
  sex?: string;
  ethnic?: EthnicCategory;
  postcode?: string;
  lsoa?: string;
  la?: string;
  practice?: string;
  school?: string;
  yearGroup?: number;
  died?: string;
  status?: string;
  /** Contact: 'sms' (a usable mobile), 'opted-out' (only a mobile, opted out), 'none' (no details). */
  contact?: 'sms' | 'opted-out' | 'none';
  flags?: { code: string; from: string; to?: string }[];
  fluGiven?: boolean;
}

const BASE = { sex: '2', postcode: 'ME1 1AA', lsoa: 'E01016001', la: 'E06000035', practice: 'G82001', contact: 'sms' as const };

// The people, by name. Ages are on 31 March 2027 unless said.
const PEOPLE: Record<string, Crafted> = {
  exactly65: { dob: '1962-03-31' }, // 65 on the day
  turns65After: { dob: '1962-04-01' }, // 64 on the day
  old80: { dob: '1946-06-10', sex: '1', ethnic: 'H', lsoa: 'E01016002', la: 'E07000110', postcode: 'ME14 1AB', practice: 'G82002' },
  atRisk40: { dob: '1986-09-15', flags: [{ code: 'DIABETES', from: '2020-01-01' }] },
  riskEnded40: { dob: '1986-09-16', flags: [{ code: 'CHRONIC_HEART', from: '2019-01-01', to: '2026-01-31' }] },
  riskLater40: { dob: '1986-09-17', flags: [{ code: 'ASPLENIA', from: '2027-06-01' }] },
  pregnant30: { dob: '1996-05-05', flags: [{ code: 'PREGNANT', from: '2026-10-01' }] },
  healthy40: { dob: '1986-10-01' },
  vaccinated70: { dob: '1957-01-20', fluGiven: true },
  died70: { dob: '1957-01-21', died: '2026-05-01', status: 'DECEASED' },
  left70: { dob: '1957-01-22', status: 'DEREGISTERED' },
  optedOut70: { dob: '1957-01-23', contact: 'opted-out' },
  noContact70: { dob: '1957-01-24', contact: 'none' },
  child8: { dob: '2018-11-30', school: '118000', yearGroup: 3, ethnic: 'N' },
  outOfScope70: { dob: '1957-02-01', la: 'E06000999', lsoa: 'E01099999', practice: 'G99001', postcode: 'TN1 1AA' },
};

describe('cohort counts', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  let owner: DataSource;
  let coordinator: DataSource;
  const ids: Record<string, number> = {};
  const names = { coordinator: uniqueName('t_cohort_coord'), analyst: uniqueName('t_cohort_analyst') };
  let coordinatorClient: pg.Client;
  let analystClient: pg.Client;

  const drain = () => drainStatusQueue(inTransaction(owner), { asOf: todayInLondon(), rules: scheduleRules() });

  async function add(name: string, c: Crafted): Promise<void> {
    const p = { ...BASE, ...c };
    const r = await db.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, ethnic_category, postcode, lsoa_code,
                               imd_decile, la_code, practice_code, school_urn, year_group, date_of_death, registration_status)
       VALUES ($1, $2, 'Cohort', $3, $4, $5, $6, $7, (SELECT imd_decile FROM ims.lsoa WHERE code = $7), $8, $9, $10, $11, $12,
               coalesce($13, 'REGISTERED')) RETURNING id`,
      [
        nhs(Object.keys(ids).length + 1),
        name,
        p.dob,
        p.sex,
        p.ethnic ?? null,
        p.postcode,
        p.lsoa,
        p.la,
        p.practice,
        p.school ?? null,
        p.yearGroup ?? null,
        p.died ?? null,
        p.status ?? null,
      ],
    );
    const id = Number(r.rows[0]!.id);
    ids[name] = id;
    if (p.contact !== 'none')
      await db.query(
        `INSERT INTO ims.contact_details (person_id, mobile, preferred_channel, opt_out_sms) VALUES ($1, '07700900001', 'SMS', $2)`,
        [id, p.contact === 'opted-out'],
      );
    for (const f of p.flags ?? [])
      await db.query(`INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, to_date, source) VALUES ($1, $2, $3, $4, 'GP')`, [
        id,
        f.code,
        f.from,
        f.to ?? null,
      ]);
    if (p.fluGiven)
      await db.query(
        `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
         VALUES ($1, 'FLU_2026_27', 'GIVEN', '2026-10-12', $2, false, 'GP')`,
        [id, PRODUCT.FLUENZ],
      );
  }

  const definition = (criteria: unknown, extra: Record<string, unknown> = {}): CohortDefinition =>
    CohortDefinition.parse({
      format: 1,
      name: 'Test cohort',
      referenceDate: REF,
      criteria,
      exclusions: { invitedWithinDays: 0 },
      ...extra,
    });

  const count = (
    def: CohortDefinition,
    breakdowns: Parameters<ReturnType<typeof createCohortHandlers>['cohorts.count']>[0]['breakdowns'] = [],
  ) => createCohortHandlers(coordinator)['cohorts.count']({ definition: def, breakdowns });

  /** The count read from the cells, and read person by person (a practice breakdown forces it): they must agree. */
  async function bothWays(def: CohortDefinition): Promise<CohortCount> {
    const cells = await count(def, ['localAuthority', 'ageBand', 'sex', 'imdDecile']);
    const people = await count(def, ['localAuthority', 'ageBand', 'sex', 'imdDecile', 'practice']);
    expect(people.method).toBe('people');
    expect({ ...people, breakdowns: { ...people.breakdowns, practice: undefined }, method: 'x' }).toEqual({
      ...cells,
      breakdowns: { ...cells.breakdowns, practice: undefined },
      method: 'x',
    });
    return cells;
  }

  /** The LA cells are the year cells added up by birth year, combination and LA, with each sex and decile. */
  async function expectLaCellsAsYearCells(): Promise<void> {
    const differ = await db.query(
      `WITH y AS (
         SELECT yr, small_id, la, 'sex' AS kind, sex AS code, sum(n)::int AS n FROM ims.cohort_ycell GROUP BY 1, 2, 3, 5
         UNION ALL
         SELECT yr, small_id, la, 'imd', imd::text, sum(n)::int FROM ims.cohort_ycell GROUP BY 1, 2, 3, 5
         UNION ALL
         SELECT yr, small_id, la, 'all', '', sum(n)::int FROM ims.cohort_ycell GROUP BY 1, 2, 3),
       l AS (
         SELECT c.yr, c.small_id, c.la, v.kind, v.code, v.n FROM ims.cohort_lcell c, LATERAL (VALUES
           ('all', '', c.n), ('sex', '0', c.sex_0), ('sex', '1', c.sex_1), ('sex', '2', c.sex_2), ('sex', '9', c.sex_9),
           ('imd', '0', c.imd_0), ('imd', '1', c.imd_1), ('imd', '2', c.imd_2), ('imd', '3', c.imd_3), ('imd', '4', c.imd_4),
           ('imd', '5', c.imd_5), ('imd', '6', c.imd_6), ('imd', '7', c.imd_7), ('imd', '8', c.imd_8), ('imd', '9', c.imd_9),
           ('imd', '10', c.imd_10)) AS v(kind, code, n))
       SELECT count(*)::int AS n FROM y FULL JOIN l USING (yr, small_id, la, kind, code)
       WHERE coalesce(y.n, 0) <> coalesce(l.n, 0)`,
    );
    expect(differ.rows[0]!.n).toBe(0);
    const total = await db.query(`SELECT coalesce(sum(n), 0)::int AS n FROM ims.cohort_lcell`);
    expect(total.rows[0]!.n).toBeGreaterThan(0);
  }

  const members = async (def: CohortDefinition): Promise<string[]> => {
    // Members are listed by the owner-only function the campaigns call; the names say who.
    const rows = (
      await db.query<{ name: string }>(
        `SELECT p.given_name AS name FROM ims.cohort_member_ids($1::jsonb) m JOIN ims.person p ON p.id = m.person_id ORDER BY 1`,
        [JSON.stringify(def)],
      )
    ).rows;
    return rows.map((r) => r.name);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    for (const [name, c] of Object.entries(PEOPLE)) await add(name, c);
    owner = await openDataSource(db.url, 'IMS test owner');
    await drain();
    const coord = await addUser(db.url, { name: names.coordinator, role: 'coordinator', orgs: ['QKS'] });
    const analyst = await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['QKS'] });
    coordinator = await connections.open(coord);
    coordinatorClient = await connectAs(db.urlAs(coord.name, coord.password));
    analystClient = await connectAs(db.urlAs(analyst.name, analyst.password));
  });

  afterAll(async () => {
    await coordinatorClient?.end();
    await analystClient?.end();
    await owner?.destroy();
    await connections.closeAll();
    await db.drop();
  });

  it('counts the flu cohort: 65 or over, or 18 to 64 at risk, with each exclusion counted once', async () => {
    const def = definition(
      { any: [{ age: { min: 65 } }, { all: [{ age: { min: 18, max: 64 } }, { flags: { categories: ['RISK_GROUP'] } }] }] },
      { campaign: 'FLU_2026_27', exclusions: { invitedWithinDays: 0 } },
    );
    const c = await bothWays(def);
    expect(c.method).toBe('cells');
    // In scope and matching: exactly65, old80, atRisk40, vaccinated70, died70, left70, optedOut70, noContact70.
    expect(c.matched).toBe(8);
    expect(Object.fromEntries(c.exclusions.map((x) => [x.kind, x.count]))).toEqual({
      deceased: 1,
      noLongerRegistered: 1,
      alreadyVaccinated: 1,
      optedOutOfEveryChannel: 1,
      noUsableContact: 1,
    });
    expect(c.count).toBe(3);
    expect(await members(def)).toEqual(['atRisk40', 'exactly65', 'old80', 'outOfScope70']); // the owner's list: no scope
    expect(c.breakdowns.localAuthority).toEqual([
      { code: 'E06000035', label: 'Medway', count: 2 },
      { code: 'E07000110', label: 'Maidstone', count: 1 },
    ]);
    expect(c.breakdowns.sex).toEqual([
      { code: '1', label: 'Male', count: 1 },
      { code: '2', label: 'Female', count: 2 },
    ]);
    expect(c.breakdowns.ageBand?.map((b) => [b.label, b.count])).toEqual([
      ['18 to 49', 1],
      ['65 to 74', 1],
      ['75 to 84', 1],
    ]);
    expect(c.breakdowns.imdDecile?.map((b) => [b.code, b.count])).toEqual([
      ['1', 2],
      ['9', 1],
    ]);
    expect(c.description).toMatch(/aged 65 or over on 31 March 2027/);
  });

  it('decides birthdays inside a month person by person (a reference date mid-month)', async () => {
    // On 15 April 2027: exactly65 (born 31 March 1962) is 65, turns65After (1 April 1962) is 65 too, born 16 April would not be.
    const def = definition({ age: { min: 65, max: 65 } }, { referenceDate: '2027-04-15' });
    expect((await bothWays(def)).count).toBe(2);
    // exactly65, old80 and vaccinated70 (no campaign named, so not left out); the others aged 70 are.
    expect((await bothWays(definition({ age: { min: 65 } }))).count).toBe(3);
    expect(await members(definition({ age: { min: 64, max: 64 } }))).toEqual(['turns65After']);
    expect(await members(definition({ age: { unit: 'months', min: 99, max: 100 } }))).toEqual(['child8']);
    expect(await members(definition({ dateOfBirth: { from: '1986-09-16', to: '1986-09-17' } }))).toEqual(['riskEnded40', 'riskLater40']);
  });

  it('reads a flag as active on the reference date: ended and future flags do not count', async () => {
    expect(await members(definition({ flags: { categories: ['RISK_GROUP'] } }))).toEqual(['atRisk40']);
    expect(await members(definition({ flags: { categories: ['RISK_GROUP'], on: '2025-06-01' } }))).toEqual(['atRisk40', 'riskEnded40']);
    expect(await members(definition({ flags: { codes: ['ASPLENIA'], on: '2027-07-01' } }))).toEqual(['riskLater40']);
    expect(await members(definition({ flags: { categories: ['PREGNANCY'] } }))).toEqual(['pregnant30']);
    expect((await bothWays(definition({ flags: { categories: ['RISK_GROUP'], on: '2025-06-01' } }))).count).toBe(2);
  });

  it('matches each kind of criterion, and NOT', async () => {
    expect(await members(definition({ gender: ['1'] }))).toEqual(['old80']);
    expect(await members(definition({ ethnicity: { groups: ['ASIAN', 'BLACK'] } }))).toEqual(['child8', 'old80']);
    expect(await members(definition({ ethnicity: { categories: ['N'] } }))).toEqual(['child8']);
    expect(await members(definition({ postcode: { districts: ['ME14'] } }))).toEqual(['old80']);
    expect(await members(definition({ postcode: { areas: ['TN'] } }))).toEqual(['outOfScope70']); // the owner's list: no scope
    expect(await members(definition({ lsoa: ['E01016002'] }))).toEqual(['old80']);
    expect(await members(definition({ imdDecile: { min: 8 } }))).toEqual(['old80']);
    expect(await members(definition({ localAuthority: ['E07000110'] }))).toEqual(['old80']);
    expect(await members(definition({ icb: ['QXX'] }))).toEqual(['outOfScope70']);
    expect(await members(definition({ practice: ['G82002'] }))).toEqual(['old80']);
    expect(await members(definition({ school: { urns: ['118000'], yearGroups: [3] } }))).toEqual(['child8']);
    expect(await members(definition({ age: { max: 17 } }))).toEqual(['child8']);
    expect(await members(definition({ all: [{ age: { max: 17 } }, { not: { school: { yearGroups: [3] } } }] }))).toEqual([]);
    const neverFlu = await members(definition({ vaccination: { state: 'never-had', programme: 'FLU_2026_27' } }));
    expect(neverFlu).toContain('old80');
    expect(neverFlu).not.toContain('vaccinated70');
    expect(
      await members(definition({ vaccination: { state: 'doses-before', antigen: 'INFLUENZA', doses: 1, before: '2026-11-01' } })),
    ).toEqual(['vaccinated70']);
    expect(
      await members(definition({ vaccination: { state: 'doses-before', antigen: 'INFLUENZA', doses: 1, before: '2026-10-12' } })),
    ).toEqual([]);
  });

  it('reads the same figures from the cells as person by person where sex, IMD decile or area decide', async () => {
    // The LA cells cannot tell sex or IMD decile: these go on to the year cells, months and people.
    const defs = [
      definition({ gender: ['1'] }),
      definition({ imdDecile: { min: 5 } }),
      definition({ not: { imdDecile: { max: 3 } } }),
      definition({ any: [{ gender: ['1'] }, { age: { min: 65 } }] }),
      definition({ all: [{ age: { min: 18 } }, { not: { gender: ['2'] } }] }),
      definition({ all: [{ localAuthority: ['E07000110'] }, { age: { min: 60 } }] }),
      definition({ all: [{ imdDecile: { max: 2 } }, { age: { min: 65, max: 65 } }] }, { referenceDate: '2027-04-15' }),
      definition({ any: [{ flags: { categories: ['RISK_GROUP'] } }, { gender: ['1'] }] }, { campaign: 'FLU_2026_27' }),
    ];
    const counts = [];
    for (const def of defs) counts.push((await bothWays(def)).count);
    // old80 is the only man; IMD 9 (old80) and 1 (the rest in scope).
    expect(counts.slice(0, 3)).toEqual([1, 1, 1]);
  });

  it('counts staff by employer, staff group and frontline', async () => {
    await db.query(
      `INSERT INTO ims.staff_record (person_id, employer_code, staff_group, frontline, from_date) VALUES ($1, 'RXX', 'NURSING', true, '2020-01-01')`,
      [ids.healthy40],
    );
    await drain();
    expect(await members(definition({ staff: { employers: ['RXX'], frontline: true } }))).toEqual(['healthy40']);
    expect(await members(definition({ staff: { staffGroups: ['MEDICAL'] } }))).toEqual([]);
  });

  it('counts within the coordinator’s scope only, and the owner’s member list sees the whole register', async () => {
    const all = definition(
      { age: { min: 65 } },
      {
        exclusions: {
          invitedWithinDays: 0,
          deceased: false,
          noLongerRegistered: false,
          optedOutOfEveryChannel: false,
          noUsableContact: false,
        },
      },
    );
    const c = await bothWays(all);
    expect(c.count).toBe(7); // exactly65, old80, the five aged 70 in scope; not outOfScope70
    expect(await members(all)).toContain('outOfScope70');
  });

  it('follows a change through the status queue: a vaccination recorded leaves the cohort', async () => {
    const def = definition({ age: { min: 65 } }, { campaign: 'FLU_2026_27' });
    const before = await count(def);
    await db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
       VALUES ($1, 'FLU_2026_27', 'GIVEN', '2026-11-20', $2, false, 'GP')`,
      [ids.old80, PRODUCT.FLUENZ],
    );
    await db.query(`UPDATE ims.person SET la_code = 'E06000035' WHERE id = $1`, [ids.exactly65]);
    await drain();
    const after = await bothWays(def);
    expect(after.count).toBe(before.count - 1);
    expect(after.exclusions.find((x) => x.kind === 'alreadyVaccinated')!.count).toBe(
      before.exclusions.find((x) => x.kind === 'alreadyVaccinated')!.count + 1,
    );
    // The cells hold exactly the fact rows, and the LA cells exactly the year cells.
    const cells = await db.query(`SELECT sum(n)::int AS n FROM ims.cohort_cell`);
    const facts = await db.query(`SELECT count(*)::int AS n FROM ims.cohort_fact`);
    expect(cells.rows[0]!.n).toBe(facts.rows[0]!.n);
    await expectLaCellsAsYearCells();
    // The population rebuild (everyone at once) gives the same cells and the same count.
    await db.query(`SELECT ims.cohort_facts_rebuild(NULL)`);
    await expectLaCellsAsYearCells();
    expect(await bothWays(def)).toEqual(after);
  });

  it('keeps hostile values inert: refused by form in the database, never run', async () => {
    const hostile = [
      { practice: ["G82001'); DROP TABLE ims.person; --"] },
      { lsoa: ['E01016001', 'x OR 1=1'] },
      { age: { min: '1; SELECT pg_sleep(5)' } },
      { gender: ["2' OR '1'='1"] },
      { flags: { codes: ['DIABETES'], on: "2027-01-01'::date OR true --" } },
      { vaccination: { state: 'never-had', programme: 'FLU_2026_27 OR 1=1' } },
      { all: [{ age: { min: 1 } }], extra: 1 },
      { 'age); DROP TABLE ims.person; --': {} },
    ];
    for (const criteria of hostile) {
      const def = { format: 1, name: 'Hostile', referenceDate: REF, criteria };
      await expect(
        coordinatorClient.query('SELECT api.cohort_count($1::jsonb, $2)', [JSON.stringify(def), ['localAuthority']]),
      ).rejects.toMatchObject({
        code: '22023',
      });
    }
    await expect(
      coordinatorClient.query('SELECT api.cohort_count($1::jsonb, $2)', [
        JSON.stringify(definition({ age: { min: 65 } })),
        ["localAuthority'); DROP TABLE ims.person; --"],
      ]),
    ).rejects.toMatchObject({ code: '22023' });
    const left = await db.query(`SELECT count(*)::int AS n FROM ims.person`);
    expect(left.rows[0]!.n).toBe(Object.keys(PEOPLE).length);
  });

  it('lets only those who may see people count, and nobody read the derived tables', async () => {
    const def = JSON.stringify(definition({ age: { min: 65 } }));
    await expect(analystClient.query('SELECT api.cohort_count($1::jsonb, $2)', [def, []])).rejects.toMatchObject({ code: '42501' });
    for (const table of ['ims.cohort_fact', 'ims.cohort_cell', 'ims.cohort_lcell', 'ims.cohort_fact_state'])
      await expect(coordinatorClient.query(`SELECT count(*) FROM ${table}`)).rejects.toMatchObject({ code: '42501' });
    await expect(coordinatorClient.query('SELECT * FROM ims.cohort_member_ids($1::jsonb)', [def])).rejects.toMatchObject({ code: '42501' });
  });

  it('saves definitions by name with versions, refusing a stale save and a taken name', async () => {
    const h = createCohortHandlers(coordinator);
    const first = await h['cohorts.saved.save']({ definition: definition({ age: { min: 65 } }, { name: 'Over 65s' }), note: 'First' });
    const second = await h['cohorts.saved.save']({
      id: first.id,
      baseVersion: 1,
      definition: definition({ age: { min: 70 } }, { name: 'Over 65s' }),
      note: 'Raised to 70',
    });
    expect(second).toEqual({ id: first.id, version: 2, name: 'Over 65s', note: 'Raised to 70' });
    await expect(
      h['cohorts.saved.save']({ id: first.id, baseVersion: 1, definition: definition({ age: { min: 75 } }, { name: 'Over 65s' }) }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(h['cohorts.saved.save']({ definition: definition({ age: { min: 1 } }, { name: 'over 65S' }) })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const got = await h['cohorts.saved.get']({ id: first.id });
    expect(got.version).toBe(2);
    expect(got.history.map((v) => [v.version, v.note, v.savedBy])).toEqual([
      [2, 'Raised to 70', names.coordinator],
      [1, 'First', names.coordinator],
    ]);
    expect((await h['cohorts.saved.get']({ id: first.id, version: 1 })).definition.criteria).toEqual({ age: { min: 65, unit: 'years' } });
    expect((await h['cohorts.saved.list']({})).map((s) => [s.name, s.version])).toEqual([['Over 65s', 2]]);
    const audit = await db.query(`SELECT count(*)::int AS n FROM audit.change_log WHERE table_name = 'ims.cohort_definition_version'`);
    expect(audit.rows[0]!.n).toBe(2);
  });

  it('holds the same vocabulary as the product: ethnic groups, age bands, exclusions, series antigens', async () => {
    const groups = await db.query<{ code: string; ethnic_group: string }>(`SELECT code, ethnic_group FROM ims.ethnic_category`);
    expect(Object.fromEntries(groups.rows.map((r) => [r.code, r.ethnic_group]))).toEqual(ETHNIC_GROUP_OF);
    const starts = await db.query(`SELECT ims.cohort_age_band_starts() AS s`);
    expect(starts.rows[0]!.s).toEqual([...AGE_BAND_STARTS]);
    const exclusions = await db.query(`SELECT ims.cohort_exclusion_names() AS s`);
    expect(exclusions.rows[0]!.s).toEqual([...COHORT_EXCLUSIONS]);
    const pairs = await db.query<{ series_id: string; antigen: string }>(`SELECT series_id, antigen FROM ims.series_antigen`);
    const dir = join(resourcesDir(), 'schedule');
    const schedules = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { kind: string; series?: { id: string; antigens: string[] }[] })
      .filter((f) => f.kind === 'schedule');
    const expected = [...new Set(schedules.flatMap((f) => (f.series ?? []).flatMap((s) => s.antigens.map((a) => `${s.id}:${a}`))))].sort();
    expect(pairs.rows.map((r) => `${r.series_id}:${r.antigen}`).sort()).toEqual(expected);
  });
});

// Analysts read aggregates through functions with small-number suppression, never rows about
// people (issue 7). Crafted cohorts prove the suppression rule; plain SQL as an analyst reaches
// no person, id or record; the figures stay within the analyst's scope.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../main-api/administration/users.service';
import type { CoverageReport, CoverageRow } from '../../main-api/contract/reporting';
import { createReportingHandlers } from '../../main-api/reporting';
import { createVaccinationHandlers } from '../../main-api/vaccination';
import { PRODUCT } from '../../main-api/shared/vocabulary/products';
import { SMALL_NUMBERS } from '../../main-api/shared/vocabulary/reporting';
import { createTestDatabase, uniqueName, type TestDatabase } from '../support/db';
import { call, connectAs, dropRoles, nhsSequence, userConnections, value, type UserConnections } from '../support/fixtures';

const nhs = nhsSequence(999_780_000, 7);
const PASSWORD = 'analyst-aggregates-password';
const TODAY = '2026-11-30';

// Region Y59 > ICB QKS > practices G82001, G82002, G82004 (local authority E06000035, Medway)
// and G82003 (E06000036, another authority). The scoped analyst has G82001, G82002 and G82004.
const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS'),
  ('G82003', 'Gamma Centre', 'GP', 'QKS'), ('G82004', 'Delta Surgery', 'GP', 'QKS');
INSERT INTO ims.gp_practice (code) VALUES ('G82001'), ('G82002'), ('G82003'), ('G82004');
INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES
  ('E06000035', 'Medway', 'QKS', 'Y59'), ('E06000036', 'Elsewhere', 'QKS', 'Y59');
`;

/** Children reaching 24 months from January to March 2026 at a practice, `vaccinated` of them with MMR by then. */
interface Cohort {
  practice: string;
  la: string;
  children: number;
  vaccinated: number;
}

describe('analysts read suppressed aggregates, never rows about people', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const names = { scoped: uniqueName('t_analyst_scoped'), region: uniqueName('t_analyst_region'), nurse: uniqueName('t_agg_nurse') };
  let analyst: pg.Client;
  let n = 0;

  async function addCohort(c: Cohort): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < c.children; i++) {
      const dob = `2024-0${1 + (i % 3)}-${String(1 + (i % 28)).padStart(2, '0')}`;
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code)
         VALUES ($1, 'Child', 'Cohort', $2, $3, $4) RETURNING id`,
        [nhs(++n), dob, c.practice, c.la],
      );
      const id = Number(r.rows[0]!.id);
      ids.push(id);
      if (i < c.vaccinated) {
        await db.query(
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
           VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', $2::date + 400, $3, false, 'GP')`,
          [id, dob, PRODUCT.MMRVAXPRO],
        );
      }
    }
    return ids;
  }

  const coverage = async (client: pg.Client, groupBy = 'practice', from = '2026-01-01'): Promise<CoverageRow[]> =>
    (
      await client.query<CoverageRow>(
        `SELECT group_code AS "groupCode", group_name AS "groupName", is_total AS "isTotal", cohort, vaccinated,
                coverage_percent AS "coveragePercent"
         FROM api.vaccination_coverage('MEASLES', 1, 24, $1::date, 3, $2)`,
        [from, groupBy],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    // G82001: 40 counted, 30 vaccinated by 24 months. Of the 10 others, one had the dose only
    // after the birthday and one has a dose entered in error; a child who died at 20 months is
    // not counted at all.
    const alpha = await addCohort({ practice: 'G82001', la: 'E06000035', children: 38, vaccinated: 30 });
    const late = alpha[30]!;
    await db.query(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
       SELECT id, 'ROUTINE_CHILDHOOD', 'GIVEN', date_of_birth + 760, $2, false, 'GP' FROM ims.person WHERE id = $1`,
      [late, PRODUCT.MMRVAXPRO],
    );
    const withdrawn = await db.query<{ id: string }>(
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
       SELECT id, 'ROUTINE_CHILDHOOD', 'GIVEN', date_of_birth + 400, $2, false, 'GP' FROM ims.person WHERE id = $1 RETURNING id`,
      [alpha[31], PRODUCT.MMRVAXPRO],
    );
    await db.query(`UPDATE ims.vaccination_event SET status = 'ENTERED_IN_ERROR', status_reason = 'test' WHERE id = $1`, [
      withdrawn.rows[0]!.id,
    ]);
    await addCohort({ practice: 'G82001', la: 'E06000035', children: 2, vaccinated: 0 });
    const died = await addCohort({ practice: 'G82001', la: 'E06000035', children: 1, vaccinated: 0 });
    await db.query(`UPDATE ims.person SET date_of_death = date_of_birth + 600 WHERE id = $1`, [died[0]]);
    // G82002: a handful. G82004: 12, of whom 2 are not vaccinated. G82003 (out of the scoped
    // analyst's scope): 30, all vaccinated.
    await addCohort({ practice: 'G82002', la: 'E06000035', children: 5, vaccinated: 4 });
    await addCohort({ practice: 'G82004', la: 'E06000035', children: 12, vaccinated: 10 });
    await addCohort({ practice: 'G82003', la: 'E06000036', children: 30, vaccinated: 30 });
    // Reaching 24 months in another quarter: never in January to March's figures.
    await db.query(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code)
       VALUES ($1, 'Older', 'Cohort', '2023-12-31', 'G82001', 'E06000035')`,
      [nhs(++n)],
    );

    await addUser(db.url, { name: names.scoped, role: 'analyst', orgs: ['G82001', 'G82002', 'G82004'], password: PASSWORD });
    await addUser(db.url, { name: names.region, role: 'analyst', orgs: ['Y59'], password: PASSWORD });
    await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD });
    analyst = await connectAs(db.urlAs(names.scoped, PASSWORD));
  });

  afterAll(async () => {
    await analyst?.end();
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  describe('small numbers', () => {
    it('shows counts from 8 rounded to 5, hides 1 to 7, and hides a row whose few unvaccinated could be picked out', async () => {
      expect(await coverage(analyst)).toEqual([
        { groupCode: 'G82001', groupName: 'Alpha Surgery', isTotal: false, cohort: 40, vaccinated: 30, coveragePercent: 75 },
        // 5 people: every figure hidden, even the vaccinated (4 of a handful says who was not).
        { groupCode: 'G82002', groupName: 'Beta Practice', isTotal: false, cohort: null, vaccinated: null, coveragePercent: null },
        // 12 people shown as 10; 10 vaccinated would leave 2 unvaccinated: hidden with the percentage.
        { groupCode: 'G82004', groupName: 'Delta Surgery', isTotal: false, cohort: 10, vaccinated: null, coveragePercent: null },
        // 57 people, 44 vaccinated: each rounded from the exact count, the percentage from exact counts, rounded down.
        { groupCode: null, groupName: 'All in your scope', isTotal: true, cohort: 55, vaccinated: 45, coveragePercent: 77 },
      ]);
    });

    it('holds the rule the screen explains', async () => {
      const shown = await db.query<{ n: number; shown: number | null }>(
        `SELECT n, ims.small_number(n) AS shown FROM generate_series(0, 13) n ORDER BY n`,
      );
      const expected = shown.rows.map(({ n }) =>
        n === 0 ? 0 : n <= SMALL_NUMBERS.SUPPRESS_UP_TO ? null : Math.round(n / SMALL_NUMBERS.ROUND_TO) * SMALL_NUMBERS.ROUND_TO,
      );
      expect(shown.rows.map((r) => r.shown)).toEqual(expected);
      expect(expected).toEqual([0, null, null, null, null, null, null, null, 10, 10, 10, 10, 10, 15]);
    });
  });

  describe('scope', () => {
    it("counts only the analyst's own organisations' people, by practice or by local authority", async () => {
      const byLa = await coverage(analyst, 'local-authority');
      // The scoped analyst has practices, not authorities: Medway's row is only their practices' people.
      expect(byLa).toEqual([
        { groupCode: 'E06000035', groupName: 'Medway', isTotal: false, cohort: 55, vaccinated: 45, coveragePercent: 77 },
        { groupCode: null, groupName: 'All in your scope', isTotal: true, cohort: 55, vaccinated: 45, coveragePercent: 77 },
      ]);
      const region = await connectAs(db.urlAs(names.region, PASSWORD));
      try {
        const all = await coverage(region);
        // By name: Alpha, Beta, Delta, Gamma; the total last.
        expect(all.map((r) => r.groupCode)).toEqual(['G82001', 'G82002', 'G82004', 'G82003', null]);
        expect(all.find((r) => r.groupCode === 'G82003')).toMatchObject({ cohort: 30, vaccinated: 30, coveragePercent: 100 });
        // 87 people, 74 vaccinated.
        expect(all.find((r) => r.isTotal)).toMatchObject({ cohort: 85, vaccinated: 75, coveragePercent: 85 });
      } finally {
        await region.end();
      }
      // A quarter nobody reached the age in: no rows, not even a total.
      expect(await coverage(analyst, 'practice', '2025-07-01')).toEqual([]);
      // Another quarter: nobody from this one.
      expect(await coverage(analyst, 'practice', '2025-10-01')).toEqual([
        { groupCode: 'G82001', groupName: 'Alpha Surgery', isTotal: false, cohort: null, vaccinated: null, coveragePercent: null },
        { groupCode: null, groupName: 'All in your scope', isTotal: true, cohort: null, vaccinated: null, coveragePercent: null },
      ]);
    });

    it('counts nobody for an analyst registered only in another database on the server', async () => {
      const other = await createTestDatabase();
      const stranger = uniqueName('t_other_analyst');
      try {
        // The whole region, there: here it would cover everyone, were the grants all that counted.
        await other.query(TREE);
        await addUser(other.url, { name: stranger, role: 'analyst', orgs: ['Y59'], password: PASSWORD });
        // Refused at the door (0030) ...
        await expect(connectAs(db.urlAs(stranger, PASSWORD))).rejects.toMatchObject({ code: '42501' });
        // ... and, if a DBA left the database open to PUBLIC, nobody inside it.
        await db.query(`GRANT CONNECT ON DATABASE ${db.name} TO PUBLIC`);
        const client = await connectAs(db.urlAs(stranger, PASSWORD));
        try {
          expect(await coverage(client)).toEqual([]);
        } finally {
          await client.end();
        }
      } finally {
        await db.query(`REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC`);
        await other.drop();
        await dropRoles([stranger]);
      }
    });

    it('answers through the application, and refuses a period that has not begun', async () => {
      const handlers = createReportingHandlers(await connections.open({ name: names.scoped, password: PASSWORD }), () => TODAY);
      const report = await value<CoverageReport>(
        call(handlers, 'coverage.get', { antigen: 'MEASLES', doses: 1, ageMonths: 24, cohortFrom: '2026-01-01' }),
      );
      expect(report.cohortTo).toBe('2026-03-31');
      expect(report.rows.find((r) => r.isTotal)).toMatchObject({ cohort: 55, vaccinated: 45 });
      expect(await call(handlers, 'coverage.get', { antigen: 'MEASLES', doses: 1, ageMonths: 24, cohortFrom: '2027-01-01' })).toMatchObject(
        { ok: false, error: { code: 'VALIDATION', details: { fields: [{ field: 'cohortFrom' }] } } },
      );
      expect(await call(handlers, 'coverage.get', { antigen: 'MEASLES', doses: 1, ageMonths: 24, cohortFrom: '2026-01-15' })).toMatchObject(
        { ok: false, error: { code: 'VALIDATION' } },
      );
    });
  });

  describe('no rows about people', () => {
    const refused = async (sql: string): Promise<string | null> => {
      try {
        await analyst.query(sql);
        return null;
      } catch (error) {
        return (error as { code: string }).code;
      }
    };

    it("gives an analyst's plain SQL no person, id, status, view or record", async () => {
      const someone = (await db.query<{ id: string }>(`SELECT min(id) AS id FROM ims.person`)).rows[0]!.id;
      for (const sql of [
        `SELECT id FROM ims.person`,
        `SELECT count(*) FROM ims.person`,
        `EXPLAIN ANALYZE SELECT id FROM ims.person WHERE date_of_birth = '2024-01-01'`,
        `SELECT * FROM ims.vaccination_event`,
        `SELECT * FROM ims.series_status`,
        `SELECT * FROM audit.record_view`,
        `SELECT * FROM ims.form_save`,
        `COPY (SELECT id FROM ims.person) TO STDOUT`,
        `SELECT api.person_record(${someone}, 'curious')`,
        `SELECT * FROM api.person_vaccinations(${someone}, 'curious')`,
        `SELECT * FROM api.person_flags(${someone}, 'curious')`,
        `SELECT * FROM api.person_basics(${someone})`,
        `SELECT * FROM api.vaccination_event(1, 'curious')`,
        `SELECT * FROM api.person_search('{"kind":"name","surname":"Coh","givenName":null}', 50, 0)`,
        `SELECT api.person_search_count('{"kind":"name","surname":"Coh","givenName":null}', 50)`,
        `SELECT audit.log_record_view(${someone}, 'curious')`,
        `SELECT ims.open_person_record(${someone}, 'curious')`,
        `SELECT ims.small_number(3)`,
      ]) {
        expect(await refused(sql), sql).toBe('42501');
      }
      expect((await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE actor = $1`, [names.scoped])).rows[0]!.n).toBe(0);
    });

    it('refuses an analyst in the functions themselves, should a later grant forget them', async () => {
      const someone = (await db.query<{ id: string }>(`SELECT min(id) AS id FROM ims.person WHERE practice_code = 'G82001'`)).rows[0]!.id;
      const functions = [
        'api.person_record(bigint, text)',
        'api.person_vaccinations(bigint, text)',
        'api.person_basics(bigint)',
        'api.person_search(jsonb, integer, integer)',
        'api.person_search_count(jsonb, integer)',
      ];
      await db.query(`GRANT EXECUTE ON FUNCTION ${functions.join(', ')} TO ims_analyst`);
      try {
        expect((await analyst.query(`SELECT api.person_record($1, 'curious') AS r`, [someone])).rows[0].r).toBeNull();
        expect((await analyst.query(`SELECT * FROM api.person_vaccinations($1, 'curious')`, [someone])).rows).toEqual([]);
        expect((await analyst.query(`SELECT * FROM api.person_basics($1)`, [someone])).rows).toEqual([]);
        const q = JSON.stringify({ kind: 'name', surname: 'Coh', givenName: null });
        expect((await analyst.query(`SELECT * FROM api.person_search($1::jsonb, 50, 0)`, [q])).rows).toEqual([]);
        expect((await analyst.query(`SELECT api.person_search_count($1::jsonb, 50) AS n`, [q])).rows[0].n).toBe(0);
        // The same person, through the same functions, for someone whose work is records.
        const nurse = await connectAs(db.urlAs(names.nurse, PASSWORD));
        try {
          expect((await nurse.query(`SELECT api.person_search_count($1::jsonb, 50) AS n`, [q])).rows[0].n).toBe(42);
        } finally {
          await nurse.end();
        }
      } finally {
        await db.query(`REVOKE EXECUTE ON FUNCTION ${functions.join(', ')} FROM ims_analyst`);
      }
      expect((await db.query(`SELECT count(*)::int AS n FROM audit.record_view WHERE actor = $1`, [names.scoped])).rows[0]!.n).toBe(0);
    });

    it('answers the analyst FORBIDDEN on the record channels', async () => {
      const handlers = createVaccinationHandlers(await connections.open({ name: names.scoped, password: PASSWORD }), () => TODAY);
      const someone = Number((await db.query<{ id: string }>(`SELECT min(id) AS id FROM ims.person`)).rows[0]!.id);
      expect(await call(handlers, 'vaccination.history', { personId: someone })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    });
  });
});

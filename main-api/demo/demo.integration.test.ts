// The demo region loaded into real databases: shape of the data, determinism, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../contract/result';
import { requireDay, schoolYearGroup } from '../shared/calendar/dates';
import { DEMO_AS_OF } from './generate';
import { bulkLoadReason, copyInto, loadDemoRegion, runDemoLoad, type DemoSummary } from './load';
import { readDemoRegion } from './region';
import { inTransaction, queryOne, withClient } from '../platform/db/database';
import { openOwnerDataSource } from '../platform/db/datasource';
import { isValidNhsNumber } from '../shared/identifiers/nhs-number';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db';
import { expectBetween } from '../../tests/support/expect';

const PERSONS = 3000;
const SEED = 5;

/** A digest of every demo row in a stable order, leaving out load-time timestamps. */
async function digest(db: TestDatabase): Promise<Record<string, string>> {
  const q = async (sql: string): Promise<string> => (await db.query<{ h: string }>(sql)).rows[0]!.h;
  return {
    person: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS h FROM (
      SELECT id, nhs_number, given_name, family_name, other_given_names, date_of_birth, gender_code, ethnic_category,
             postcode, lsoa_code, imd_decile, la_code, practice_code, school_urn, year_group, date_of_death,
             registration_status, care_home_code FROM ims.person) t`),
    contact: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.person_id)) AS h FROM (
      SELECT person_id, address_line1, address_line2, address_line3, town, email, mobile, landline,
             preferred_channel, opt_out_letter, opt_out_email, opt_out_sms FROM ims.contact_details) t`),
    flag: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS h FROM ims.clinical_flag t`),
    staff: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS h FROM ims.staff_record t`),
  };
}

async function structure(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.query<{ d: string }>(
    `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint
      WHERE connamespace = 'ims'::regnamespace AND convalidated
     UNION ALL
     SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'ims'::regnamespace)
     ORDER BY 1`,
  );
  return rows.map((r) => r.d);
}

describe('demo region', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  let summary: DemoSummary;
  const phases = new Set<string>();

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await b.query(`CREATE TABLE public.scratch_rows (id int, name text)`);
    // Records the bulk-load reason that each statement on ims.person sees.
    await a.query(`CREATE TABLE public.seen_reason (reason text)`);
    await a.query(`CREATE FUNCTION public.note_reason() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO public.seen_reason VALUES (current_setting('ims.bulk_load_reason', true)); RETURN NULL; END $$`);
    await a.query(`CREATE TRIGGER note_reason AFTER INSERT ON ims.person FOR EACH STATEMENT EXECUTE FUNCTION public.note_reason()`);
    summary = await loadDemoRegion(a.url, { persons: PERSONS, seed: SEED, onProgress: (p) => phases.add(p.phase) });
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('reports and writes the rows it made, with reference data and progress', async () => {
    expect(summary.persons).toBe(PERSONS);
    expect(summary.firstPersonId).toBe(1);
    expect(summary.lastPersonId).toBe(PERSONS);
    const counts = (
      await a.query<Record<string, number>>(`SELECT
        (SELECT count(*)::int FROM ims.person) AS person,
        (SELECT count(*)::int FROM ims.contact_details) AS contact,
        (SELECT count(*)::int FROM ims.clinical_flag) AS flag,
        (SELECT count(*)::int FROM ims.staff_record) AS staff,
        (SELECT count(*)::int FROM ims.gp_practice) AS practices,
        (SELECT count(*)::int FROM ims.school) AS schools,
        (SELECT count(*)::int FROM ims.local_authority) AS las`)
    ).rows[0]!;
    expect(counts).toMatchObject({ person: PERSONS, contact: PERSONS, flag: summary.clinicalFlags, staff: summary.staffRecords, las: 13 });
    expect(counts.practices).toBeGreaterThanOrEqual(40);
    expect(counts.schools).toBeGreaterThanOrEqual(100);
    expect(summary.clinicalFlags).toBeGreaterThan(PERSONS * 0.15);
    expect(summary.staffRecords).toBeGreaterThan(0);
    expect([...phases]).toEqual(expect.arrayContaining(['reference', 'persons', 'contacts', 'flags', 'staff', 'done']));
    const reasons = await a.query<{ reason: string | null }>(`SELECT DISTINCT reason FROM public.seen_reason`);
    expect(reasons.rows.map((r) => r.reason)).toEqual([bulkLoadReason(SEED, PERSONS)]);
  });

  it('gives everyone a valid, distinct NHS number in the 999 range', async () => {
    const { rows } = await a.query<{ nhs_number: string }>(`SELECT nhs_number FROM ims.person`);
    expect(new Set(rows.map((r) => r.nhs_number)).size).toBe(PERSONS);
    for (const r of rows) {
      expect(r.nhs_number.startsWith('999')).toBe(true);
      expect(isValidNhsNumber(r.nhs_number)).toBe(true);
    }
  });

  it('places people consistently: postcode sector, LSOA, IMD decile, local authority, practice', async () => {
    const { region } = readDemoRegion();
    const districts = new Set(region.postcodeSectors.map((s) => s.district));
    const { rows } = await a.query<{ postcode: string; postcode_district: string }>(`SELECT postcode, postcode_district FROM ims.person`);
    for (const r of rows) {
      expect(r.postcode).toMatch(/^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}$/);
      expect(districts.has(r.postcode_district)).toBe(true);
    }
    const bad = await a.query<Record<string, number>>(`SELECT
      count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ims.postcode_sector s WHERE s.sector = p.postcode_sector AND s.la_code = p.la_code))::int AS sector,
      count(*) FILTER (WHERE l.la_code IS DISTINCT FROM p.la_code OR l.imd_decile IS DISTINCT FROM p.imd_decile)::int AS lsoa,
      count(*) FILTER (WHERE p.registration_status <> 'DEREGISTERED' AND g.la_code IS DISTINCT FROM p.la_code)::int AS practice
      FROM ims.person p LEFT JOIN ims.lsoa l ON l.code = p.lsoa_code LEFT JOIN ims.gp_practice g ON g.code = p.practice_code`);
    expect(bad.rows[0]).toEqual({ sector: 0, lsoa: 0, practice: 0 });
    // Deprived coastal Thanet against leafy Sevenoaks.
    const imd = await a.query<{ la_code: string; mean: number }>(
      `SELECT la_code, avg(imd_decile)::float AS mean FROM ims.person WHERE la_code IN ('E07000114', 'E07000111') GROUP BY la_code`,
    );
    const mean = Object.fromEntries(imd.rows.map((r) => [r.la_code, r.mean]));
    expect(mean.E07000114!).toBeLessThan(mean.E07000111! - 2);
  });

  it('puts school-age children in the right year group at a school', async () => {
    const asOf = requireDay(DEMO_AS_OF);
    const { rows } = await a.query<{
      dob: string;
      year_group: number | null;
      school_urn: string | null;
      status: string;
      phase: string | null;
      la_ok: boolean;
    }>(
      `SELECT p.date_of_birth::text AS dob, p.year_group, p.school_urn, p.registration_status AS status, s.phase,
              (s.la_code IS NULL OR s.la_code = p.la_code) AS la_ok
         FROM ims.person p LEFT JOIN ims.school s ON s.urn = p.school_urn`,
    );
    let pupils = 0;
    for (const r of rows) {
      const yg = schoolYearGroup(requireDay(r.dob), asOf);
      if (r.school_urn !== null) {
        pupils++;
        expect(r.year_group).toBe(yg);
        expect(r.la_ok).toBe(true);
        if (r.phase === 'PRIMARY') expect(yg).toBeLessThanOrEqual(6);
        if (r.phase === 'SECONDARY') expect(yg).toBeGreaterThanOrEqual(7);
      } else {
        expect(r.year_group).toBeNull();
        // Reception to Year 11 are all at a school (or home educated) unless they have died.
        if (yg >= 0 && yg <= 11) expect(r.status).toBe('DECEASED');
      }
    }
    expect(pupils).toBeGreaterThan(PERSONS * 0.1);
  });

  it('follows a census-like age pyramid, sex split and ethnicity mix', async () => {
    const { rows } = await a.query<Record<string, number>>(
      `SELECT avg((age < 16)::int)::float AS under16, avg((age >= 65)::int)::float AS over65, avg((age >= 85)::int)::float AS over85,
              max(age)::int AS oldest, avg((gender_code = '2')::int)::float AS female, avg((ethnic_category = 'A')::int)::float AS white_british,
              avg((ethnic_category IN ('Z', '99'))::int)::float AS not_stated
         FROM (SELECT *, date_part('year', age(DATE '${DEMO_AS_OF}', date_of_birth)) AS age FROM ims.person) p`,
    );
    const s = rows[0]!;
    expectBetween(s.under16, 0.15, 0.22);
    expectBetween(s.over65, 0.16, 0.22);
    expect(s.over85).toBeGreaterThan(0.01);
    expect(s.oldest).toBeLessThanOrEqual(101);
    expectBetween(s.female, 0.45, 0.56);
    expectBetween(s.white_british, 0.66, 0.78);
    expect(s.not_stated).toBeGreaterThan(0.01);
  });

  it('attaches flags, staff, deaths and contact details plausibly', async () => {
    const bad = await a.query<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM ims.clinical_flag f JOIN ims.person p ON p.id = f.person_id
        WHERE f.flag_code = 'PREGNANT' AND (p.gender_code <> '2' OR date_part('year', age(DATE '${DEMO_AS_OF}', p.date_of_birth)) NOT BETWEEN 16 AND 45)) AS pregnancy,
      (SELECT count(*)::int FROM ims.person p WHERE (p.care_home_code IS NOT NULL) <>
        EXISTS (SELECT 1 FROM ims.clinical_flag f WHERE f.person_id = p.id AND f.flag_code = 'CARE_HOME_RESIDENT')) AS care_home,
      (SELECT count(*)::int FROM ims.staff_record s JOIN ims.person p ON p.id = s.person_id
        WHERE date_part('year', age(DATE '${DEMO_AS_OF}', p.date_of_birth)) NOT BETWEEN 18 AND 67) AS staff_age,
      (SELECT count(*)::int FROM ims.person WHERE (registration_status = 'DECEASED') <> (date_of_death IS NOT NULL)) AS deaths,
      (SELECT count(*)::int FROM ims.contact_details WHERE address_line1 IS NULL OR town IS NULL
        OR (preferred_channel = 'SMS' AND (mobile IS NULL OR opt_out_sms)) OR (preferred_channel = 'EMAIL' AND (email IS NULL OR opt_out_email))) AS contact,
      (SELECT count(*)::int FROM ims.contact_details WHERE mobile !~ '^07700 900[0-9]{3}$' OR email !~ '@example\\.(com|org|net)$') AS fictional`);
    expect(bad.rows[0]).toEqual({ pregnancy: 0, care_home: 0, staff_age: 0, deaths: 0, contact: 0, fictional: 0 });
    const shares = (
      await a.query<Record<string, number>>(`SELECT
        avg((email IS NOT NULL)::int)::float AS email, avg((mobile IS NOT NULL)::int)::float AS mobile,
        (SELECT count(DISTINCT person_id) FROM ims.clinical_flag WHERE flag_code = 'CHRONIC_RESPIRATORY')::float
          / (SELECT count(*) FROM ims.person WHERE date_of_birth <= DATE '${DEMO_AS_OF}' - interval '18 years') AS respiratory_adults,
        (SELECT count(*) FROM ims.person WHERE registration_status = 'DECEASED')::int AS deceased
        FROM ims.contact_details`)
    ).rows[0]!;
    expectBetween(shares.email, 0.55, 0.65);
    expectBetween(shares.mobile, 0.7, 0.8);
    expectBetween(shares.respiratory_adults, 0.05, 0.14);
    expect(shares.deceased).toBeGreaterThan(0);
  });

  it('makes identical rows from the same seed in another database, by either load path', async () => {
    // b takes the drop-and-restore path for indexes and keys; a did not.
    const before = await structure(b);
    const other = await runDemoLoad(b.url, { persons: PERSONS, seed: SEED }, { ...readDemoRegion(), fastPathFrom: 1000 });
    expect(other.rebuiltIndexes).toBe(true);
    expect(summary.rebuiltIndexes).toBe(false);
    expect(await digest(b)).toEqual(await digest(a));
    expect(await structure(b)).toEqual(before);
  });

  it('refuses a register that already has people, and appends when asked', async () => {
    const refusal = loadDemoRegion(a.url, { persons: 10, seed: 1 });
    await expect(refusal).rejects.toBeInstanceOf(AppError);
    await expect(refusal).rejects.toMatchObject({ code: 'CONFLICT' });

    const more = await loadDemoRegion(a.url, { persons: 200, seed: 9, append: true });
    expect(more.firstPersonId).toBe(PERSONS + 1);
    expect(Object.values(more.reference).every((n) => n === 0)).toBe(true);
    const { rows } = await a.query<{ n: number; distinct_nhs: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT nhs_number)::int AS distinct_nhs FROM ims.person`,
    );
    expect(rows[0]).toEqual({ n: PERSONS + 200, distinct_nhs: PERSONS + 200 });
    // The identity continues after the ids the load assigned.
    const next = await a.query<{ id: string }>(
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth) VALUES ('9999999999', 'Test', 'Person', '2000-01-01') RETURNING id`,
    );
    expect(Number(next.rows[0]!.id)).toBe(PERSONS + 201);
  });

  it('refuses more people than the 999 range can number, before writing anything', async () => {
    const attempt = loadDemoRegion(b.url, { persons: 2_000_000, seed: 1, append: true });
    await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(loadDemoRegion(b.url, { persons: 0, seed: 1 })).rejects.toMatchObject({ code: 'VALIDATION' });
    const { rows } = await b.query<{ n: number }>(`SELECT count(*)::int AS n FROM ims.person`);
    expect(rows[0]!.n).toBe(PERSONS);
  });

  it('abandons a COPY whose rows fail to generate, leaving the pooled connection usable', async () => {
    const ds = await openOwnerDataSource(b.url, 'IMS demo test');
    try {
      function* failing(): Generator<Buffer> {
        yield Buffer.from('1\tA\n');
        throw new Error('generator broke');
      }
      await withClient(ds, async (client) => {
        await expect(inTransaction(client, () => copyInto(client, 'public.scratch_rows', ['id', 'name'], failing()))).rejects.toThrow(
          'generator broke',
        );
        const { rows } = await client.query<{ ok: number }>('SELECT 1 AS ok');
        expect(rows[0]!.ok).toBe(1);
      });
      // The connection went back to the pool in a clean state, and nothing was written.
      expect(await queryOne<{ n: number }>(ds, 'SELECT count(*)::int AS n FROM public.scratch_rows')).toEqual({ n: 0 });
    } finally {
      await ds.destroy();
    }
  });
});

// Vaccination histories made by the demo load: valid against the database's rules, right for
// each child's birth cohort, counted as expected by the schedule engine, with realistic uptake,
// and the same rows from the same seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AS_OF } from './generate';
import { runDemoLoad, type DemoSummary } from './load';
import { readDemoRegion } from './region';
import { loadPersonForecastInput } from '../forecast/forecast.repository';
import { scheduleRules } from '../schedule/shipped-rules';
import { forecast } from '../schedule';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db';
import { withClient } from '../../tests/support/fixtures';
import { expectBetween } from '../../tests/support/expect';

const PERSONS = 6000;
const SEED = 21;
const AS_OF = DEMO_AS_OF;

/** Every history row, leaving out what the database stamps at load time. */
async function digest(db: TestDatabase): Promise<Record<string, string>> {
  const q = async (sql: string): Promise<string> => (await db.query<{ h: string }>(sql)).rows[0]!.h;
  return {
    events: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS h FROM (
      SELECT id, person_id, programme_code, outcome, not_given_reason, occurred_at, occurred_on, dose_sequence, product_code,
             batch_id, batch_number, expiry_date, site_code, route_code, dose_amount, performer_name, performer_role,
             location_code, location_type, organisation_code, legal_basis, primary_source, source_system, source_id, notes
        FROM ims.vaccination_event) t`),
    reactions: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS h FROM (
      SELECT id, person_id, vaccination_event_id, onset_at, reaction_code, seriousness, outcome, reporter,
             yellow_card_reference, reported_to_mhra FROM ims.adverse_reaction) t`),
    batches: await q(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) AS h FROM (
      SELECT id, product_code, batch_number, expiry_date, received_on FROM ims.batch) t`),
  };
}

describe('demo vaccination histories', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  let summary: DemoSummary;
  const phases: string[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    summary = await runDemoLoad(a.url, { persons: PERSONS, seed: SEED, onProgress: (p) => phases.push(p.phase) });
  });
  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop()]);
  });

  it('loads events, batches and a few reactions as their own phase', async () => {
    const h = summary.histories;
    expect(phases).toContain('histories');
    expect(phases.indexOf('histories')).toBeGreaterThan(phases.lastIndexOf('staff'));
    const { rows } = await a.query<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM ims.vaccination_event) AS events,
      (SELECT count(*)::int FROM ims.vaccination_event WHERE outcome = 'NOT_GIVEN') AS not_given,
      (SELECT count(*)::int FROM ims.adverse_reaction) AS reactions`);
    expect(rows[0]).toEqual({ events: h.events, not_given: h.notGiven, reactions: h.reactions });
    expect(h.given + h.notGiven).toBe(h.events);
    expect(h.events).toBeGreaterThan(PERSONS * 2);
    expect(h.batches).toBeGreaterThan(500);
    // About one reaction per 2,000 doses.
    expect(h.reactions).toBeLessThan(h.given / 700);
    // The identity continues after the ids the load assigned.
    const next = await a.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('ims.vaccination_event', 'id'))::text AS id`);
    expect(Number(next.rows[0]!.id)).toBeGreaterThan(h.events);
  });

  it("dates every event within the person's life and on or before the reference date", async () => {
    const { rows } = await a.query<Record<string, number>>(`SELECT
      count(*) FILTER (WHERE e.occurred_on > DATE '${AS_OF}')::int AS future,
      count(*) FILTER (WHERE e.occurred_on < p.date_of_birth)::int AS before_birth,
      count(*) FILTER (WHERE e.occurred_on > p.date_of_death)::int AS after_death,
      count(*) FILTER (WHERE e.outcome = 'GIVEN' AND e.primary_source AND (e.batch_id IS NULL OR e.performer_name IS NULL AND p.practice_code IS NOT NULL))::int AS incomplete,
      count(*) FILTER (WHERE e.batch_id IS NOT NULL AND (b.expiry_date < e.occurred_on OR b.batch_number <> e.batch_number))::int AS bad_batch
      FROM ims.vaccination_event e JOIN ims.person p ON p.id = e.person_id LEFT JOIN ims.batch b ON b.id = e.batch_id`);
    expect(rows[0]).toEqual({ future: 0, before_birth: 0, after_death: 0, incomplete: 0, bad_batch: 0 });
    const reactions = await a.query<{ bad: number; anaphylaxis_ok: boolean }>(`SELECT
      count(*) FILTER (WHERE e.outcome <> 'GIVEN' OR r.onset_at < coalesce(e.occurred_at, e.occurred_on::timestamp AT TIME ZONE 'Europe/London'))::int AS bad,
      bool_and(r.reaction_code <> 'ANAPHYLAXIS' OR (r.seriousness = 'HOSPITALISED' AND r.yellow_card_reference IS NOT NULL)) AS anaphylaxis_ok
      FROM ims.adverse_reaction r JOIN ims.vaccination_event e ON e.id = r.vaccination_event_id`);
    expect(reactions.rows[0]).toEqual({ bad: 0, anaphylaxis_ok: true });
  });

  it('gives each cohort the products of its own schedule', async () => {
    const { rows } = await a.query<Record<string, number>>(`SELECT
      count(*) FILTER (WHERE vp.vaccine_type = 'Rotavirus' AND (e.occurred_on - p.date_of_birth >= 168
        OR e.occurred_on - p.date_of_birth < 42 OR (e.dose_sequence = 1 AND e.occurred_on - p.date_of_birth >= 105)))::int AS late_rota,
      count(*) FILTER (WHERE vp.vaccine_type = 'MMRV' AND (e.occurred_on < DATE '2026-01-01' OR p.date_of_birth < DATE '2022-09-01'))::int AS early_mmrv,
      count(*) FILTER (WHERE vp.vaccine_type = 'MMR' AND p.date_of_birth >= DATE '2025-01-01')::int AS mmr_in_mmrv_cohort,
      count(*) FILTER (WHERE vp.vaccine_type = '6-in-1' AND p.date_of_birth < DATE '2017-06-01')::int AS hexa_too_old,
      count(*) FILTER (WHERE vp.vaccine_type = '5-in-1' AND p.date_of_birth >= DATE '2017-06-01')::int AS pentavalent_too_young,
      count(*) FILTER (WHERE vp.vaccine_type = 'Hib/MenC' AND p.date_of_birth > DATE '2024-06-30')::int AS hibmenc_after_change,
      count(*) FILTER (WHERE vp.vaccine_type = 'Flu (LAIV)' AND e.occurred_on - p.date_of_birth < 730)::int AS laiv_under_2,
      count(*) FILTER (WHERE vp.vaccine_type = 'MenB' AND e.occurred_on < DATE '2015-09-01')::int AS early_menb,
      count(*) FILTER (WHERE e.programme_code = 'FLU_2025_26' AND e.occurred_on NOT BETWEEN DATE '2025-09-01' AND DATE '2026-03-31')::int AS flu_out_of_season,
      count(*) FILTER (WHERE e.programme_code = 'COVID19_AUTUMN_2025' AND e.occurred_on NOT BETWEEN DATE '2025-10-01' AND DATE '2026-01-31')::int AS covid_out_of_season
      FROM ims.vaccination_event e JOIN ims.person p ON p.id = e.person_id LEFT JOIN ims.vaccine_product vp ON vp.code = e.product_code
      WHERE e.outcome = 'GIVEN'`);
    expect(rows[0]).toEqual({
      late_rota: 0,
      early_mmrv: 0,
      mmr_in_mmrv_cohort: 0,
      hexa_too_old: 0,
      pentavalent_too_young: 0,
      hibmenc_after_change: 0,
      laiv_under_2: 0,
      early_menb: 0,
      flu_out_of_season: 0,
      covid_out_of_season: 0,
    });
    // The new cohorts do have their new vaccines.
    const mmrv = await a.query<{ n: number }>(`SELECT count(*)::int AS n FROM ims.vaccination_event e
      JOIN ims.vaccine_product vp ON vp.code = e.product_code WHERE vp.vaccine_type = 'MMRV'`);
    expect(mmrv.rows[0]!.n).toBeGreaterThan(0);
  });

  it('records movers-in from a parent-held record, school doses at school, declines with a reason', async () => {
    const { rows } = await a.query<Record<string, number>>(`SELECT
      count(*) FILTER (WHERE source_system = 'Parent-held record' AND NOT primary_source AND batch_id IS NULL)::int AS abroad,
      count(*) FILTER (WHERE programme_code = 'SCHOOL_AGED' AND location_type = 'URN' AND organisation_code = 'RYY')::int AS at_school,
      count(*) FILTER (WHERE outcome = 'NOT_GIVEN' AND not_given_reason = 'DECLINED')::int AS declined,
      avg(primary_source::int)::float AS primary_share
      FROM ims.vaccination_event`);
    const r = rows[0]!;
    expect(r.abroad).toBeGreaterThan(0);
    expect(r.at_school).toBeGreaterThan(0);
    expect(r.declined).toBeGreaterThan(0);
    expect(r.primary_share).toBeGreaterThan(0.9);
  });

  it('reaches realistic uptake, lower in the most deprived areas', async () => {
    const { rows } = await a.query<Record<string, number>>(`
      WITH kids AS (
        SELECT p.id, p.imd_decile, p.date_of_birth,
          (SELECT count(*) FROM ims.vaccination_event e JOIN ims.vaccine_product vp ON vp.code = e.product_code
            WHERE e.person_id = p.id AND e.outcome = 'GIVEN' AND vp.vaccine_type IN ('6-in-1', '5-in-1')
              AND e.occurred_on < p.date_of_birth + interval '1 year') AS primaries,
          EXISTS (SELECT 1 FROM ims.vaccination_event e JOIN ims.product_antigen pa ON pa.product_code = e.product_code
            WHERE e.person_id = p.id AND e.outcome = 'GIVEN' AND pa.antigen_code = 'MEASLES'
              AND e.occurred_on < p.date_of_birth + interval '2 years') AS mmr1,
          EXISTS (SELECT 1 FROM ims.vaccination_event e JOIN ims.vaccine_product vp ON vp.code = e.product_code
            WHERE e.person_id = p.id AND e.outcome = 'GIVEN' AND vp.vaccine_type = '4-in-1') AS preschool
        FROM ims.person p WHERE p.date_of_death IS NULL
      )
      SELECT
        avg((primaries >= 3)::int) FILTER (WHERE date_of_birth BETWEEN DATE '${AS_OF}' - interval '5 years' AND DATE '${AS_OF}' - interval '1 year')::float AS primaries,
        avg((primaries >= 3)::int) FILTER (WHERE date_of_birth < DATE '${AS_OF}' - interval '1 year' AND date_of_birth > DATE '${AS_OF}' - interval '18 years' AND imd_decile <= 3)::float AS primaries_deprived,
        avg((primaries >= 3)::int) FILTER (WHERE date_of_birth < DATE '${AS_OF}' - interval '1 year' AND date_of_birth > DATE '${AS_OF}' - interval '18 years' AND imd_decile >= 8)::float AS primaries_affluent,
        avg(mmr1::int) FILTER (WHERE date_of_birth BETWEEN DATE '${AS_OF}' - interval '10 years' AND DATE '${AS_OF}' - interval '2 years')::float AS mmr1,
        avg(preschool::int) FILTER (WHERE date_of_birth BETWEEN DATE '${AS_OF}' - interval '10 years' AND DATE '${AS_OF}' - interval '5 years')::float AS preschool
      FROM kids`);
    const r = rows[0]!;
    expectBetween(r.primaries, 0.86, 0.97);
    expectBetween(r.mmr1, 0.82, 0.93);
    expectBetween(r.preschool, 0.78, 0.91);
    expect(r.primaries_deprived).toBeLessThan(r.primaries_affluent!);

    const flu = await a.query<Record<string, number>>(`
      SELECT avg(got::int) FILTER (WHERE date_of_birth <= DATE '1961-03-31' AND NOT care_home)::float AS over65,
             avg(got::int) FILTER (WHERE date_of_birth > DATE '1961-03-31' AND date_of_birth <= DATE '2008-03-31' AND risk AND NOT frontline AND NOT care_home)::float AS at_risk
      FROM (SELECT p.date_of_birth, p.care_home_code IS NOT NULL AS care_home,
              EXISTS (SELECT 1 FROM ims.vaccination_event e WHERE e.person_id = p.id AND e.programme_code = 'FLU_2025_26' AND e.outcome = 'GIVEN') AS got,
              EXISTS (SELECT 1 FROM ims.clinical_flag f WHERE f.person_id = p.id AND f.flag_code IN ('CHRONIC_RESPIRATORY', 'CHRONIC_HEART', 'CHRONIC_KIDNEY',
                'CHRONIC_LIVER', 'CHRONIC_NEUROLOGICAL', 'DIABETES', 'IMMUNOSUPPRESSION', 'ASPLENIA', 'LEARNING_DISABILITY', 'MORBID_OBESITY')) AS risk,
              EXISTS (SELECT 1 FROM ims.staff_record s WHERE s.person_id = p.id AND s.frontline) AS frontline
            FROM ims.person p WHERE p.date_of_death IS NULL OR p.date_of_death > DATE '2026-01-31') t`);
    const f = flu.rows[0]!;
    expectBetween(f.over65, 0.62, 0.78);
    expectBetween(f.at_risk, 0.3, 0.5);
  });

  it('vaccinates in the season running on the reference date, only in the part of it that has passed', async () => {
    const { rows } = await a.query<{ given: number; first: string | null; last: string | null }>(
      `SELECT count(*)::int AS given, min(occurred_on)::text AS first, max(occurred_on)::text AS last
       FROM ims.vaccination_event WHERE programme_code = 'FLU_2026_27' AND outcome = 'GIVEN'`,
    );
    // The reference date is a month into the children's part of 2026-27.
    expect(rows[0]!.given).toBeGreaterThan(50);
    expect(rows[0]!.first! >= '2026-09-01' && rows[0]!.last! <= AS_OF).toBe(true);
  });

  it('gives histories the schedule engine counts: primaries complete or on track for most infants', async () => {
    const rules = scheduleRules();
    const { rows } = await a.query<{ id: string }>(
      `SELECT id FROM ims.person WHERE date_of_death IS NULL AND registration_status = 'REGISTERED'
         AND date_of_birth BETWEEN DATE '${AS_OF}' - interval '6 years' AND DATE '${AS_OF}' - interval '5 months'
       ORDER BY id LIMIT 200`,
    );
    expect(rows.length).toBe(200);
    let onTrack = 0;
    let overdue = 0;
    let ignored = 0;
    await withClient(a.url, async (client) => {
      for (const r of rows) {
        const input = (await loadPersonForecastInput(client, Number(r.id), 'forecast'))!;
        const f = forecast(rules, input.person, input.events, AS_OF, { explain: true });
        const six = f.series.find((s) => s.seriesId === 'SIX-IN-1')!;
        const primaries = six.dosesCounted.filter((d) => d.doseNumber <= 3).length;
        if (primaries >= 3 || six.status === 'COMPLETE' || six.status === 'UPCOMING') onTrack++;
        if (six.status === 'OVERDUE' && primaries < 3) overdue++;
        for (const s of f.series) ignored += s.dosesIgnored.length;
      }
    });
    expect(onTrack).toBeGreaterThan(200 * 0.85);
    // A known share has fallen behind: visible to the engine as overdue.
    expectBetween(overdue, 0, 200 * 0.12);
    // Doses follow the cohort's intervals and age limits, so the engine counts nearly all of them.
    expect(ignored).toBeLessThanOrEqual(4);
  });

  it('makes identical histories from the same seed, by either load path', async () => {
    const other = await runDemoLoad(b.url, { persons: PERSONS, seed: SEED }, { ...readDemoRegion(), fastPathFrom: 1000 });
    expect(other.rebuiltIndexes).toBe(true);
    expect(other.histories.events).toBe(summary.histories.events);
    expect(await digest(b)).toEqual(await digest(a));
  });
});

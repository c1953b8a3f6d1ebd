// Benchmarks for the forecast in the database: one person through the API path, and the
// population refresh. buildBenchChildren fills a throwaway database with synthetic children.
import { execute, inTransaction, withClient, type DbClient } from '../platform/db/database';
import { openDataSource, withOwnerDatabase, type OwnerDatabase } from '../platform/db/datasource';
import { refreshAllStatuses, type RefreshReport } from '../schedule-status/refresh-all';
import { scheduleRules } from '../schedule/shipped-rules';
import { ForecastService } from './forecast.service';

/** Routine doses the synthetic children receive, at these ages in days (before jitter). */
const BENCH_DOSES: { product: string; programme: string; ageDays: number }[] = [
  { product: '34765811000001105', programme: 'ROUTINE_CHILDHOOD', ageDays: 56 }, // 6-in-1
  { product: '23584211000001109', programme: 'ROUTINE_CHILDHOOD', ageDays: 56 }, // MenB
  { product: '34609911000001106', programme: 'ROUTINE_CHILDHOOD', ageDays: 56 }, // rotavirus
  { product: '34765811000001105', programme: 'ROUTINE_CHILDHOOD', ageDays: 84 },
  { product: '23584211000001109', programme: 'ROUTINE_CHILDHOOD', ageDays: 84 },
  { product: '34609911000001106', programme: 'ROUTINE_CHILDHOOD', ageDays: 84 },
  { product: '34765811000001105', programme: 'ROUTINE_CHILDHOOD', ageDays: 112 },
  { product: '16649411000001104', programme: 'ROUTINE_CHILDHOOD', ageDays: 112 }, // PCV
  { product: '16649411000001104', programme: 'ROUTINE_CHILDHOOD', ageDays: 366 },
  { product: '23584211000001109', programme: 'ROUTINE_CHILDHOOD', ageDays: 366 },
  { product: '34925111000001104', programme: 'ROUTINE_CHILDHOOD', ageDays: 366 }, // MMR
  { product: '9903711000001109', programme: 'ROUTINE_CHILDHOOD', ageDays: 366 }, // Hib/MenC
  { product: '26267211000001100', programme: 'ROUTINE_CHILDHOOD', ageDays: 1220 }, // pre-school booster
  { product: '34925111000001104', programme: 'ROUTINE_CHILDHOOD', ageDays: 1220 },
  { product: '33493111000001108', programme: 'SCHOOL_AGED', ageDays: 4600 }, // HPV
  { product: '7374511000001107', programme: 'SCHOOL_AGED', ageDays: 5150 }, // Td/IPV
  { product: '20517811000001104', programme: 'SCHOOL_AGED', ageDays: 5150 }, // MenACWY
];

export interface BenchData {
  persons: number;
  events: number;
  seconds: number;
}

/**
 * Adds n synthetic children (aged 0-18 on asOf, NHS numbers in the 999 test range) and their
 * routine doses, most on time, some late or missing. For a throwaway database only: the
 * event load runs with triggers off (session_replication_role, so a superuser), which skips
 * the per-row checks and audit that real recording goes through. Both settings last for one
 * transaction only, so the pooled connection goes back to the pool as it came.
 */
export async function buildBenchChildren(owner: OwnerDatabase, n: number, asOf = '2026-02-01'): Promise<BenchData> {
  const started = performance.now();
  const load = async (c: DbClient): Promise<BenchData> => {
    await execute(c, `SELECT set_config('ims.bulk_load_reason', 'forecast benchmark children', true)`);
    const persons = await execute(
      c,
      `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code)
       SELECT nhs, 'Bench', 'Child' || g, $2::date - (hashint4(g) & 2147483647) % 6935, (1 + g % 2)::text
       FROM (
         SELECT g, stem || (CASE WHEN 11 - s % 11 = 11 THEN 0 ELSE 11 - s % 11 END)::text AS nhs, 11 - s % 11 AS chk
         FROM (
           SELECT g, stem, (SELECT sum(substr(stem, i, 1)::int * (11 - i)) FROM generate_series(1, 9) i) AS s
           FROM (SELECT g, (999000000 + g)::text AS stem FROM generate_series(1, $1::int * 12 / 10) g) a
         ) b
       ) x
       WHERE chk <> 10 AND ims.nhs_number_valid(nhs)
       LIMIT $1
       ON CONFLICT (nhs_number) DO NOTHING`,
      [n, asOf],
    );
    await execute(c, `SET LOCAL session_replication_role = replica`);
    const events = await execute(
      c,
      `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, source_system, source_id)
       SELECT p.id, d.programme, 'GIVEN', p.date_of_birth + d.age + (hashint8(p.id * 31 + d.k) & 255) % 40,
              d.product, false, 'BENCH', p.id::text || '-' || d.k
       FROM ims.person p
       CROSS JOIN (SELECT * FROM json_to_recordset($1::json) AS t(k int, product text, programme text, age int)) d
       WHERE p.family_name LIKE 'Child%' AND p.given_name = 'Bench'
         AND p.date_of_birth + d.age + (hashint8(p.id * 31 + d.k) & 255) % 40 <= $2::date
         AND (hashint8(p.id * 7 + d.k) & 1023) >= 60`,
      [JSON.stringify(BENCH_DOSES.map((d, k) => ({ k, product: d.product, programme: d.programme, age: d.ageDays }))), asOf],
    );
    await execute(c, `SET LOCAL session_replication_role = origin`);
    await execute(c, `ANALYZE ims.person`);
    await execute(c, `ANALYZE ims.vaccination_event`);
    return { persons, events, seconds: (performance.now() - started) / 1000 };
  };
  return withOwnerDatabase(owner, 'IMS forecast benchmark', (ds) => withClient(ds, (c) => inTransaction(c, () => load(c))));
}

/** Refreshes every child's status (under 19) and reports the rate. */
export async function benchForecastRefresh(
  ownerUrl: string,
  options: { asOf?: string; maxAgeYears?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<RefreshReport & { personsPerSecond: number; totalSeconds: number; processCpuSeconds: number }> {
  // CPU used by this process, to tell engine cost from waiting on a busy machine or database.
  const cpu0 = process.cpuUsage();
  const report = await refreshAllStatuses(ownerUrl, {
    asOf: options.asOf ?? '2026-02-01',
    maxAgeYears: options.maxAgeYears ?? 19,
    onProgress: options.onProgress ? (p) => options.onProgress?.(p.done, p.total) : undefined,
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    ...report,
    personsPerSecond: report.persons / report.seconds,
    totalSeconds: report.seconds,
    processCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** Milliseconds for one forecast.get through the service (median of runs after a warm-up). */
export async function benchForecastOne(url: string, personId: number, runs = 20, asOf = '2026-02-01'): Promise<number> {
  const ds = await openDataSource(url, 'IMS forecast benchmark');
  try {
    const service = new ForecastService(ds, scheduleRules());
    await service.get(personId, asOf);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await service.get(personId, asOf);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  } finally {
    await ds.destroy();
  }
}

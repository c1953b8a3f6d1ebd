// Cohort counting at regional scale, for `npm run bench`: the flu cohort (65 or over on
// 31 March 2027, or 18 to 64 with an active risk flag; alive, registered, not vaccinated against
// flu this season) with four breakdowns, counted as a coordinator through api.cohort_count, beside
// the same figures written as plain SQL over the register's tables in the same run.
import type { DataSource } from 'typeorm';
import { CohortDefinition, type CohortCount } from '../contract/cohorts';
import { query } from '../platform/db/database';
import { AGE_BAND_STARTS } from '../shared/vocabulary/cohorts';
import { createCohortHandlers } from './cohorts.service';

export const BENCH_COHORT = CohortDefinition.parse({
  format: 1,
  name: 'Flu 2026-27: 65 and over, and 18 to 64 at risk',
  campaign: 'FLU_2026_27',
  referenceDate: '2027-03-31',
  criteria: {
    any: [{ age: { min: 65 } }, { all: [{ age: { min: 18, max: 64 } }, { flags: { categories: ['RISK_GROUP'] } }] }],
  },
  exclusions: { invitedWithinDays: 0, optedOutOfEveryChannel: false, noUsableContact: false },
});
const BREAKDOWNS = ['localAuthority', 'ageBand', 'sex', 'imdDecile'] as const;

/** The figures as plain SQL reads them: the same people, counted straight from the register. */
async function plainSql(owner: DataSource, practices: string[], las: string[]): Promise<Map<string, number>> {
  const ref = BENCH_COHORT.referenceDate;
  // Band k when born on or before the day AGE_BAND_STARTS[k] years before the reference date.
  const band = `CASE ${[...AGE_BAND_STARTS.keys()]
    .reverse()
    .filter((k) => k > 0)
    .map((k) => `WHEN p.date_of_birth <= ($3::date - interval '${AGE_BAND_STARTS[k]} years') THEN ${k + 1}`)
    .join(' ')} ELSE 1 END`;
  const rows = await query<{ dim: string; code: string | null; n: string }>(
    owner,
    `WITH c AS (
       SELECT p.la_code AS la, p.gender_code AS sex, p.imd_decile AS imd, ${band} AS band
       FROM ims.person p
       WHERE (p.practice_code = ANY ($1) OR p.la_code = ANY ($2))
         AND p.date_of_death IS NULL AND p.registration_status NOT IN ('DECEASED', 'DEREGISTERED')
         AND (p.date_of_birth <= $3::date - interval '65 years'
              OR (p.date_of_birth > $3::date - interval '65 years' AND p.date_of_birth <= $3::date - interval '18 years'
                  AND EXISTS (SELECT 1 FROM ims.clinical_flag f JOIN ims.flag_type t ON t.code = f.flag_code
                              WHERE f.person_id = p.id AND t.category = 'RISK_GROUP'
                                AND f.from_date <= $3::date AND (f.to_date IS NULL OR f.to_date >= $3::date))))
         AND NOT EXISTS (SELECT 1 FROM ims.vaccination_event e
                         WHERE e.person_id = p.id AND e.programme_code = 'FLU_2026_27' AND e.outcome = 'GIVEN' AND e.status = 'ACTIVE'))
     SELECT CASE WHEN GROUPING(la) = 0 THEN 'localAuthority' WHEN GROUPING(sex) = 0 THEN 'sex'
                 WHEN GROUPING(imd) = 0 THEN 'imdDecile' WHEN GROUPING(band) = 0 THEN 'ageBand' ELSE 'total' END AS dim,
            coalesce(la, sex, imd::text, band::text) AS code, count(*) AS n
     FROM c GROUP BY GROUPING SETS ((), (la), (sex), (imd), (band))`,
    [practices, las, ref],
  );
  return new Map(rows.map((r) => [`${r.dim}:${r.code}`, Number(r.n)]));
}

function asMap(c: CohortCount): Map<string, number> {
  const m = new Map<string, number>([['total:null', c.count]]);
  for (const kind of BREAKDOWNS) for (const r of c.breakdowns[kind] ?? []) m.set(`${kind}:${r.code}`, r.count);
  return m;
}

export interface CohortBenchResult {
  count: number;
  method: string;
  medianMs: number;
  p95Ms: number;
  plainMs: number;
  same: boolean;
  differences: string[];
}

/** Times the count as the user (runs times) and the plain SQL as the owner (twice, the faster kept). */
export async function benchCohortCount(
  owner: DataSource,
  user: DataSource,
  scope: { practices: string[]; las: string[] },
  runs = 40,
): Promise<CohortBenchResult> {
  const count = () => createCohortHandlers(user)['cohorts.count']({ definition: BENCH_COHORT, breakdowns: [...BREAKDOWNS] });
  const first = await count();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await count();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  let plainMs = Infinity;
  let plain = new Map<string, number>();
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    plain = await plainSql(owner, scope.practices, scope.las);
    plainMs = Math.min(plainMs, performance.now() - t);
  }
  const ours = asMap(first);
  const differences = [...new Set([...ours.keys(), ...plain.keys()])]
    .filter((k) => (ours.get(k) ?? 0) !== (plain.get(k) ?? 0))
    .map((k) => `${k}: ${ours.get(k) ?? 0} vs ${plain.get(k) ?? 0}`);
  return {
    count: first.count,
    method: first.method,
    medianMs: times[Math.floor(times.length / 2)]!,
    p95Ms: times[Math.min(times.length - 1, Math.floor(0.95 * times.length))]!,
    plainMs,
    same: differences.length === 0,
    differences,
  };
}

// The COVER return at regional scale, for `npm run bench`: a quarter's return by local
// authority as a child health user scoped to the whole ICB (api.cover_return through the
// service), beside a simple baseline in the same run: the same figures as plain SQL, one
// correlated count per child and measure, as the owner with the scope written out. The two must agree.
import type { DataSource } from 'typeorm';
import type { CoverReturn } from '../contract/reporting';
import { query } from '../platform/db/database';
import { quarterDays } from '../shared/calendar/quarters';
import { createReportingHandlers } from './reporting.service';

async function plainSql(owner: DataSource, from: string, to: string, practices: string[], las: string[]): Promise<Map<string, string>> {
  const rows = await query<{ grp: string | null; measure: string; n: string; v: string }>(
    owner,
    `WITH kids AS (
       SELECT p.id, p.date_of_birth AS dob, m.by_age_months AS age,
              (SELECT coalesce(min(ut.upper_code), w.lower) FROM ims.la_upper_tier ut WHERE ut.la_code = w.lower) AS la,
              m.id AS measure, m.doses, m.from_age_months, m.antigens
       FROM ims.person p
       CROSS JOIN ims.cover_measure m
       LEFT JOIN ims.gp_practice g ON g.code = p.practice_code
       CROSS JOIN LATERAL (SELECT CASE WHEN p.registration_status = 'REGISTERED' AND p.practice_code IS NOT NULL AND g.la_code IS NOT NULL THEN g.la_code
                   ELSE coalesce(p.la_code,
                                 (SELECT l.la_code FROM ims.lsoa l
                                  WHERE l.code = coalesce(p.lsoa_code, (SELECT pl.lsoa_code FROM ims.postcode_lookup pl WHERE pl.postcode = p.postcode))),
                                 (SELECT ps.la_code FROM ims.postcode_sector ps WHERE ps.sector = p.postcode_sector)) END AS lower) w
       WHERE (p.date_of_birth + make_interval(months => m.by_age_months))::date BETWEEN $1::date AND $2::date
         AND (m.born_from IS NULL OR p.date_of_birth >= m.born_from) AND (m.born_to IS NULL OR p.date_of_birth <= m.born_to)
         AND p.registration_status <> 'DEREGISTERED'
         AND (p.date_of_death IS NULL OR p.date_of_death >= (p.date_of_birth + make_interval(months => m.by_age_months))::date)
         AND (p.practice_code = ANY ($3) OR p.la_code = ANY ($4))
     )
     SELECT k.la AS grp, k.measure, count(*) AS n,
            count(*) FILTER (WHERE (SELECT count(DISTINCT e.occurred_on) FROM ims.vaccination_event e
                                    WHERE e.person_id = k.id AND e.status = 'ACTIVE' AND e.outcome = 'GIVEN'
                                      AND e.occurred_on >= (k.dob + make_interval(months => k.from_age_months))::date
                                      AND e.occurred_on < (k.dob + make_interval(months => k.age))::date
                                      AND (SELECT array_agg(pa.antigen_code) FROM ims.product_antigen pa WHERE pa.product_code = e.product_code)
                                          @> k.antigens) >= k.doses) AS v
     FROM kids k GROUP BY k.la, k.measure`,
    [from, to, practices, las],
  );
  return new Map(rows.map((r) => [`${r.grp ?? '-'}:${r.measure}`, `${r.v}/${r.n}`]));
}

function asMap(r: CoverReturn): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of r.areas)
    if (!a.isTotal)
      for (const f of a.figures) if (f.denominator) m.set(`${a.groupCode ?? '-'}:${f.measureId}`, `${f.numerator}/${f.denominator}`);
  return m;
}

export interface CoverBenchResult {
  children: number;
  areas: number;
  medianMs: number;
  p95Ms: number;
  plainMs: number;
  same: boolean;
  differences: string[];
}

/** Times the return as the user (runs times) and the plain SQL as the owner (twice, the faster kept). */
export async function benchCoverReturn(
  owner: DataSource,
  user: DataSource,
  scope: { practices: string[]; las: string[] },
  quarter = '2026-Q3',
  runs = 20,
): Promise<CoverBenchResult> {
  const handlers = createReportingHandlers(user);
  const get = () => handlers['cover.get']({ quarter, by: 'local-authority' });
  const first = await get();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await get();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const { from, to } = quarterDays(quarter)!;
  let plainMs = Infinity;
  let plain = new Map<string, string>();
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    plain = await plainSql(owner, from, to, scope.practices, scope.las);
    plainMs = Math.min(plainMs, performance.now() - t);
  }
  const ours = asMap(first);
  const differences = [...new Set([...ours.keys(), ...plain.keys()])]
    .filter((k) => ours.get(k) !== plain.get(k))
    .map((k) => `${k}: ${ours.get(k) ?? '-'} vs ${plain.get(k) ?? '-'}`);
  // Each child counts once per cohort: the largest denominator among a cohort's measures that apply to everyone.
  const total = first.areas.find((a) => a.isTotal);
  const children = [12, 24, 60]
    .map((age) =>
      Math.max(
        0,
        ...first.measures
          .filter((m) => m.byAgeMonths === age)
          .map((m) => total?.figures.find((f) => f.measureId === m.id)?.denominator ?? 0),
      ),
    )
    .reduce((a, b) => a + b, 0);
  return {
    children,
    areas: first.areas.length - 1,
    medianMs: times[Math.floor(times.length / 2)]!,
    p95Ms: times[Math.min(times.length - 1, Math.floor(0.95 * times.length))]!,
    plainMs,
    same: differences.length === 0,
    differences,
  };
}

// Person matching over a staging table, for `npm run bench`: rows made from people on the
// register (half exact, a quarter without an NHS number and a misspelt surname, a quarter of
// strangers) matched in one set-based call of ims.match_people, beside the same rows matched one
// call per row, in the same run; the two must agree. Target: a 100,000-row batch file or class
// list matched in under a minute.
import type { DataSource } from 'typeorm';
import { execute, query } from '../platform/db/database';

export interface MatchBenchResult {
  rows: number;
  setSeconds: number;
  setPerSecond: number;
  rowByRowSeconds: number;
  rowByRowPerSecond: number;
  certain: number;
  same: boolean;
}

const STAGING = `
  CREATE TEMP TABLE bench_match_staging ON COMMIT PRESERVE ROWS AS
  SELECT row_number() OVER ()::int AS row_no,
         CASE WHEN n % 4 = 1 THEN NULL WHEN n % 4 = 3 THEN '9999999999' ELSE nhs_number END AS nhs,
         CASE WHEN n % 4 = 1 THEN family_name || 'e' WHEN n % 4 = 3 THEN 'Stranger' ELSE family_name END AS family,
         given_name AS given, date_of_birth AS dob, gender_code AS sex, postcode AS pc
  FROM (SELECT p.*, row_number() OVER (ORDER BY p.id) AS n FROM ims.person p ORDER BY p.id LIMIT $1) s`;

const ROW = `ROW(row_no, nhs, family, given, dob, sex, pc)::ims.match_input`;

export async function benchMatch(owner: DataSource, rows: number, rowByRowSample: number): Promise<MatchBenchResult> {
  return owner.transaction(async (m) => {
    await execute(m, STAGING, [rows]);
    let started = process.hrtime.bigint();
    const set = await query<{ row_no: number; person_id: string }>(
      m,
      `SELECT row_no, person_id FROM ims.match_people(ARRAY(SELECT ${ROW} FROM bench_match_staging)) WHERE certain`,
    );
    const setSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    // The baseline: one call per row, as a loop over the file would make (a sample, scaled).
    const sample = Math.min(rowByRowSample, rows);
    started = process.hrtime.bigint();
    const single: { row_no: number; person_id: string }[] = [];
    for (let i = 1; i <= sample; i++) {
      single.push(
        ...(await query<{ row_no: number; person_id: string }>(
          m,
          `SELECT row_no, person_id FROM ims.match_people(ARRAY(SELECT ${ROW} FROM bench_match_staging WHERE row_no = $1)) WHERE certain`,
          [i],
        )),
      );
    }
    const rowByRowSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const key = (r: { row_no: number; person_id: string }) => `${r.row_no}:${r.person_id}`;
    const fromSet = new Set(set.filter((r) => r.row_no <= sample).map(key));
    const same = single.length === fromSet.size && single.every((r) => fromSet.has(key(r)));
    await execute(m, 'DROP TABLE bench_match_staging');
    return {
      rows,
      setSeconds,
      setPerSecond: rows / setSeconds,
      rowByRowSeconds,
      rowByRowPerSecond: sample / rowByRowSeconds,
      certain: set.length,
      same,
    };
  });
}

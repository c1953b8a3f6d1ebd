// SQL for the COVER return, run as the signed-in user's role: the measures (ims.cover_measure,
// readable by every group) and the api functions that count and list within the caller's
// scope and write the audit (migration 0042).
import type { CoverChild, CoverMeasure, CoverNotCounted } from '../contract/reporting';
import type { CoverageGrouping } from '../shared/vocabulary/reporting';
import { query, queryOne, type Queryable } from '../platform/db/database';

export interface CoverReturnRow {
  groupCode: string | null;
  groupName: string;
  isTotal: boolean;
  measureId: string;
  denominator: number | null;
  numerator: number | null;
  percent: number | null;
  exact: boolean;
}

export class CoverRepository {
  constructor(private readonly db: Queryable) {}

  measures(): Promise<CoverMeasure[]> {
    return query<CoverMeasure>(
      this.db,
      `SELECT id, label, antigens, doses::integer AS doses, from_age_months::integer AS "fromAgeMonths",
              by_age_months::integer AS "byAgeMonths", to_char(born_from, 'YYYY-MM-DD') AS "bornFrom",
              to_char(born_to, 'YYYY-MM-DD') AS "bornTo"
       FROM ims.cover_measure ORDER BY sort_order`,
    );
  }

  figures(quarterFrom: string, by: CoverageGrouping): Promise<CoverReturnRow[]> {
    return query<CoverReturnRow>(
      this.db,
      `SELECT group_code AS "groupCode", group_name AS "groupName", is_total AS "isTotal", measure_id AS "measureId",
              denominator, numerator, percent, exact
       FROM api.cover_return($1::date, $2)`,
      [quarterFrom, by],
    );
  }

  async notCounted(
    quarterFrom: string,
    by: CoverageGrouping,
    groupCode: string | null,
    noGroup: boolean,
    ageMonths: number | null,
    measureId: string | null,
    limit: number,
  ): Promise<CoverNotCounted> {
    const row = await queryOne<{ result: { total: number; children: (Omit<CoverChild, 'personId'> & { personId: number | string })[] } }>(
      this.db,
      `SELECT api.cover_not_counted($1::date, $2, $3, $4, $5, $6, $7) AS result`,
      [quarterFrom, by, groupCode, noGroup, ageMonths, measureId, limit],
    );
    const result = row!.result;
    return { total: Number(result.total), children: result.children.map((c) => ({ ...c, personId: Number(c.personId) })) };
  }
}

// SQL for aggregate reports, run as the signed-in user's role. Figures come only from the api
// schema's aggregate functions, which apply the user's scope and the small-number rule (0026).
import type { CoverageInput, CoverageRow } from '../contract/reporting';
import { query, type Queryable } from '../platform/db/database';

export class ReportingRepository {
  constructor(private readonly db: Queryable) {}

  async coverage(i: CoverageInput): Promise<CoverageRow[]> {
    return query<CoverageRow>(
      this.db,
      `SELECT group_code AS "groupCode", group_name AS "groupName", is_total AS "isTotal", cohort, vaccinated,
              coverage_percent AS "coveragePercent"
       FROM api.vaccination_coverage($1, $2, $3, $4::date, $5, $6)`,
      [i.antigen, i.doses, i.ageMonths, i.cohortFrom, i.cohortMonths, i.groupBy],
    );
  }
}

// SQL for cohorts, run as the signed-in user's role: counts and saved definitions come only from
// the api schema's functions (0031), which check the definition again and apply the user's scope.
import type { CohortDefinition } from '../contract/cohorts';
import type { CohortBreakdown } from '../shared/vocabulary/cohorts';
import { query, queryOne, type Queryable } from '../platform/db/database';

/** What api.cohort_count returns. */
export interface RawCount {
  method: 'cells' | 'people';
  /** "0": counted; "n": left out by the n-th exclusion of ims.cohort_exclusion_names(). */
  buckets: Record<string, number>;
  breakdowns: Partial<Record<CohortBreakdown, { code: string | null; label: string | null; count: number }[]>>;
}

export interface SavedRow {
  id: string;
  name: string;
  latest: number;
  version: number;
  definition: unknown;
  history: { version: number; savedBy: string; savedAt: string; note: string | null }[];
}

export class CohortRepository {
  constructor(private readonly db: Queryable) {}

  async count(definition: CohortDefinition, breakdowns: readonly CohortBreakdown[]): Promise<RawCount> {
    const row = await queryOne<{ result: RawCount }>(this.db, 'SELECT api.cohort_count($1::jsonb, $2::text[]) AS result', [
      JSON.stringify(definition),
      breakdowns,
    ]);
    return row!.result;
  }

  async list(): Promise<{ id: string; name: string; version: number; campaign: string | null; savedBy: string; savedAt: Date }[]> {
    return query(this.db, `SELECT id, name, version, campaign, saved_by AS "savedBy", saved_at AS "savedAt" FROM api.cohort_definitions()`);
  }

  async get(id: number, version: number | null): Promise<SavedRow | null> {
    return queryOne<SavedRow>(this.db, 'SELECT id, name, latest, version, definition, history FROM api.cohort_definition($1, $2)', [
      id,
      version,
    ]);
  }

  async save(
    id: number | null,
    baseVersion: number | null,
    definition: CohortDefinition,
    note: string | null,
  ): Promise<{ id: string; version: number; name: string; note: string | null }> {
    const row = await queryOne<{ id: string; version: number; name: string; note: string | null }>(
      this.db,
      'SELECT id, version, name, note FROM api.cohort_definition_save($1, $2, $3::jsonb, $4)',
      [id, baseVersion, JSON.stringify(definition), note],
    );
    return row!;
  }
}

// SQL for imported rule files, run as the signed-in user's role (or the owner, on the command
// line). Writes go through the api functions of migration 0033, which refuse anyone but an
// administrator; the versions are reference data that the groups read directly.
import type { RuleFileVersionView } from '../contract/rules';
import { query, queryOne, type Queryable } from '../platform/db/database';
import type { RuleFileReach } from '../schedule';

interface VersionRow extends Omit<RuleFileVersionView, 'version' | 'inForce' | 'replacesShipped' | 'supersededBy' | 'problem'> {
  version: string;
  supersededBy: string | null;
}

export interface StoredVersion {
  version: number;
  created: boolean;
  status: RuleFileVersionView['status'];
  effectiveFrom: string;
}

export class RuleFilesRepository {
  constructor(private readonly db: Queryable) {}

  /** Every version, newest first, with who imported, activated and withdrew it (by display name where known). */
  async list(): Promise<Omit<RuleFileVersionView, 'inForce' | 'replacesShipped' | 'problem'>[]> {
    const rows = await query<VersionRow>(
      this.db,
      `SELECT r.version::text AS version, r.kind, r.rule_id AS "ruleId", r.rule_version AS "ruleVersion", r.name,
              r.file_name AS "fileName", r.checksum, to_char(r.effective_from, 'YYYY-MM-DD') AS "effectiveFrom", r.status,
              coalesce(ui.display_name, r.imported_by) AS "importedBy", to_char(r.imported_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS "importedAt",
              coalesce(ua.display_name, r.activated_by) AS "activatedBy", to_char(r.activated_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS "activatedAt",
              coalesce(uw.display_name, r.withdrawn_by) AS "withdrawnBy", to_char(r.withdrawn_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD HH24:MI') AS "withdrawnAt",
              r.superseded_by::text AS "supersededBy"
       FROM ims.rule_file_version r
       LEFT JOIN ims.user_directory ui ON ui.role_name = r.imported_by
       LEFT JOIN ims.user_directory ua ON ua.role_name = r.activated_by
       LEFT JOIN ims.user_directory uw ON uw.role_name = r.withdrawn_by
       ORDER BY r.version DESC`,
    );
    return rows.map((r) => ({ ...r, version: Number(r.version), supersededBy: r.supersededBy === null ? null : Number(r.supersededBy) }));
  }

  /** Persons the file can reach, and a random sample of them (administrators only). */
  async previewSample(reach: RuleFileReach, limit: number): Promise<{ reached: number; personIds: number[] }> {
    const rows = await query<{ reached: string; person_id: string }>(
      this.db,
      'SELECT reached::text, person_id::text FROM api.rule_file_preview_sample($1::text[], $2, $3::date, $4::date, $5)',
      [reach.ids, reach.everyone, reach.bornFrom, reach.bornTo, limit],
    );
    return { reached: rows.length ? Number(rows[0]!.reached) : 0, personIds: rows.map((r) => Number(r.person_id)) };
  }

  async store(text: string, fileName: string | null, effectiveFrom: string, reach: RuleFileReach): Promise<StoredVersion> {
    const row = await queryOne<{ version: string; created: boolean; status: StoredVersion['status']; effective_from: string }>(
      this.db,
      `SELECT version::text, created, status, to_char(effective_from, 'YYYY-MM-DD') AS effective_from
       FROM api.rule_file_import($1, $2, $3::date, $4::text[], $5, $6::date, $7::date)`,
      [text, fileName, effectiveFrom, reach.ids, reach.everyone, reach.bornFrom, reach.bornTo],
    );
    if (!row) throw new Error('api.rule_file_import returned nothing');
    return { version: Number(row.version), created: row.created, status: row.status, effectiveFrom: row.effective_from };
  }

  async activate(
    version: number,
    today: string,
  ): Promise<{ version: number; status: StoredVersion['status']; effectiveFrom: string; queued: number }> {
    const row = await queryOne<{ version: string; status: StoredVersion['status']; effective_from: string; queued: string }>(
      this.db,
      `SELECT version::text, status, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, queued::text FROM api.rule_file_activate($1, $2::date)`,
      [version, today],
    );
    if (!row) throw new Error('api.rule_file_activate returned nothing');
    return { version: Number(row.version), status: row.status, effectiveFrom: row.effective_from, queued: Number(row.queued) };
  }

  async withdraw(version: number, today: string): Promise<{ version: number; status: StoredVersion['status']; queued: number }> {
    const row = await queryOne<{ version: string; status: StoredVersion['status']; queued: string }>(
      this.db,
      'SELECT version::text, status, queued::text FROM api.rule_file_withdraw($1, $2::date)',
      [version, today],
    );
    if (!row) throw new Error('api.rule_file_withdraw returned nothing');
    return { version: Number(row.version), status: row.status, queued: Number(row.queued) };
  }

  /** Queues the people of versions whose effective date has come since activation. */
  async queueDue(today: string): Promise<number> {
    const row = await queryOne<{ queued: string }>(this.db, 'SELECT api.rule_files_queue_due($1::date)::text AS queued', [today]);
    return Number(row?.queued ?? 0);
  }
}

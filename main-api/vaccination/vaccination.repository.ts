// SQL for vaccination records, run as the signed-in user's role. Events and reactions are
// reached only through the audited api functions (0022), which apply the user's scope and write
// the record-view row; the database owns who-recorded-what and history.
import type { AdverseReaction, Batch, Product, Programme, VaccinationEvent } from '../contract/vaccination';
import { execute, query, queryOne, type Queryable } from '../platform/db/database';
import { saveOnce, type Saved } from '../platform/db/save-once';
import { userDisplayName } from '../administration';

const instant = (col: string): string => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const coding = (code: string, term: string): string =>
  `CASE WHEN ${code} IS NULL THEN NULL ELSE json_build_object('code', ${code}, 'term', ${term}) END`;

const EVENT_COLUMNS = `
  e.id, e.person_id AS "personId", e.programme_code AS "programmeCode", pr.name AS "programmeName",
  e.outcome, e.not_given_reason AS "notGivenReason",
  ${instant('e.occurred_at')} AS "occurredAt", e.occurred_on::text AS "occurredOn",
  e.dose_sequence::int AS "doseSequence",
  CASE WHEN p.code IS NULL THEN NULL
       ELSE json_build_object('code', p.code, 'name', p.name, 'shortName', p.short_name, 'vaccineType', p.vaccine_type) END AS product,
  ARRAY(SELECT pa.antigen_code FROM ims.product_antigen pa
        WHERE pa.product_code = e.product_code AND e.outcome = 'GIVEN' ORDER BY pa.antigen_code) AS antigens,
  e.batch_id AS "batchId", e.batch_number AS "batchNumber", e.expiry_date::text AS "expiryDate",
  ${coding('e.site_code', 'e.site_term')} AS site,
  ${coding('e.route_code', 'e.route_term')} AS route,
  e.dose_amount::float8 AS "doseAmount",
  ${coding('e.dose_unit_code', 'e.dose_unit_term')} AS "doseUnit",
  CASE WHEN e.performer_name IS NULL THEN NULL ELSE json_build_object('name', e.performer_name, 'role', e.performer_role) END AS performer,
  CASE WHEN e.location_code IS NULL THEN NULL ELSE json_build_object('code', e.location_code, 'type', e.location_type) END AS location,
  e.organisation_code AS "organisationCode", e.legal_basis AS "legalBasis", e.primary_source AS "primarySource",
  CASE WHEN e.reported_by IS NULL THEN NULL ELSE json_build_object('kind', e.reported_by, 'name', e.reported_by_name) END AS "reportedBy",
  e.source_system AS "sourceSystem", e.source_id AS "sourceId", e.notes,
  ${userDisplayName('e.recorded_by')} AS "recordedBy", ${instant('e.recorded_at')} AS "recordedAt",
  e.status, e.supersedes_id AS "supersedesId",
  (SELECT n.id FROM v n WHERE n.supersedes_id = e.id) AS "supersededById",
  e.change_reason AS "changeReason", e.status_reason AS "statusReason",
  ${userDisplayName('e.status_changed_by')} AS "statusChangedBy", ${instant('e.status_changed_at')} AS "statusChangedAt"`;

/** Events from the CTE v, which holds the rows an api function returned (superseding versions included). */
const EVENT_FROM = `
  FROM v e
  JOIN ims.programme pr ON pr.code = e.programme_code
  LEFT JOIN ims.vaccine_product p ON p.code = e.product_code`;

const REACTION_COLUMNS = `
  r.id, r.person_id AS "personId", r.vaccination_event_id AS "eventId", ${instant('r.onset_at')} AS "onsetAt",
  r.reaction_code AS "reactionCode", r.description, r.seriousness, r.outcome, r.reporter,
  r.reported_to_mhra AS "reportedToMhra", r.yellow_card_reference AS "yellowCardReference",
  ${userDisplayName('r.recorded_by')} AS "recordedBy", ${instant('r.recorded_at')} AS "recordedAt"`;

const BATCH_COLUMNS = (onDateParam: string): string => `
  b.id, b.product_code AS "productCode", b.batch_number AS "batchNumber", b.expiry_date::text AS "expiryDate",
  (b.expiry_date < ${onDateParam}::date) AS expired, b.organisation_code AS "organisationCode",
  b.received_on::text AS "receivedOn"`;

/** A row ready to insert: every column the application writes. */
export interface EventInsert {
  personId: number;
  programmeCode: string;
  outcome: 'GIVEN' | 'NOT_GIVEN';
  notGivenReason: string | null;
  occurredAt: string | null;
  occurredOn: string;
  doseSequence: number | null;
  productCode: string | null;
  batchId: number | null;
  batchNumber: string | null;
  expiryDate: string | null;
  siteCode: string | null;
  siteTerm: string | null;
  routeCode: string | null;
  routeTerm: string | null;
  doseAmount: number | null;
  doseUnitCode: string | null;
  doseUnitTerm: string | null;
  performerName: string | null;
  performerRole: string | null;
  locationCode: string | null;
  locationType: 'ODS' | 'URN' | null;
  organisationCode: string | null;
  legalBasis: string | null;
  primarySource: boolean;
  reportedBy: string | null;
  reportedByName: string | null;
  sourceSystem: string | null;
  sourceId: string | null;
  notes: string | null;
  supersedesId: number | null;
  changeReason: string | null;
}

export interface ReactionInsert {
  personId: number;
  eventId: number;
  onsetAt: string;
  reactionCode: string;
  description: string | null;
  seriousness: string;
  outcome: string;
  reporter: string;
  reportedToMhra: boolean;
  yellowCardReference: string | null;
}

export interface PersonDates {
  dateOfBirth: string;
  dateOfDeath: string | null;
}

export class VaccinationRepository {
  constructor(private readonly db: Queryable) {}

  /** A form's save, made once per idempotency key (this repository must be the save's transaction). */
  saveOnce<T>(
    key: string | undefined,
    request: { channel: string; input: unknown },
    save: () => Promise<Saved<T>>,
    replay: (id: number) => Promise<T>,
  ): Promise<T> {
    return saveOnce(this.db, key, request, save, replay);
  }

  async products(includeInactive: boolean, code?: string): Promise<Product[]> {
    const params: unknown[] = [includeInactive];
    let where = `($1 OR p.active)`;
    if (code !== undefined) {
      params.push(code);
      where += ` AND p.code = $2`;
    }
    return query<Product>(
      this.db,
      `SELECT p.code, p.code_status AS "codeStatus", p.name, p.short_name AS "shortName", p.manufacturer,
              p.vaccine_type AS "vaccineType",
              coalesce((SELECT json_agg(json_build_object('code', a.code, 'name', a.name) ORDER BY a.code)
                        FROM ims.product_antigen pa JOIN ims.antigen a ON a.code = pa.antigen_code
                        WHERE pa.product_code = p.code), '[]'::json) AS antigens,
              json_build_object('code', p.default_route_code, 'term', p.default_route_term) AS "defaultRoute",
              p.default_dose_amount::float8 AS "defaultDoseAmount",
              ${coding('p.dose_unit_code', 'p.dose_unit_term')} AS "doseUnit",
              coalesce((SELECT json_agg(json_build_object('appliesTo', pp.applies_to, 'code', pp.code, 'term', pp.term) ORDER BY pp.applies_to)
                        FROM ims.product_procedure pp WHERE pp.product_code = p.code), '[]'::json) AS procedures,
              p.active
       FROM ims.vaccine_product p
       WHERE ${where}
       ORDER BY p.vaccine_type, p.short_name`,
      params,
    );
  }

  async product(code: string): Promise<Product | null> {
    const rows = await this.products(true, code);
    return rows[0] ?? null;
  }

  /** Ongoing programmes first, then seasonal campaigns, most recent first. */
  async programmes(includeInactive: boolean): Promise<Programme[]> {
    return query<Programme>(
      this.db,
      `SELECT code, name, kind, campaign, start_date::text AS "startDate", end_date::text AS "endDate", active
       FROM ims.programme WHERE $1 OR active
       ORDER BY start_date IS NOT NULL, start_date DESC, name`,
      [includeInactive],
    );
  }

  async programmeExists(code: string): Promise<boolean> {
    return (await queryOne(this.db, `SELECT 1 FROM ims.programme WHERE code = $1`, [code])) !== null;
  }

  /** Null when the person does not exist or is outside the user's scope. */
  async personDates(personId: number): Promise<PersonDates | null> {
    return queryOne<PersonDates>(
      this.db,
      `SELECT date_of_birth::text AS "dateOfBirth", date_of_death::text AS "dateOfDeath" FROM api.person_basics($1)`,
      [personId],
    );
  }

  /** Unexpired batches first (soonest expiry first), then expired ones (most recent first). */
  async batches(productCode: string, onDate: string): Promise<Batch[]> {
    return query<Batch>(
      this.db,
      `SELECT ${BATCH_COLUMNS('$2')} FROM ims.batch b
       WHERE b.product_code = $1
       ORDER BY (b.expiry_date < $2::date), CASE WHEN b.expiry_date >= $2::date THEN b.expiry_date END, b.expiry_date DESC, b.batch_number`,
      [productCode, onDate],
    );
  }

  async batchById(id: number, onDate: string): Promise<Batch | null> {
    return queryOne<Batch>(this.db, `SELECT ${BATCH_COLUMNS('$2')} FROM ims.batch b WHERE b.id = $1`, [id, onDate]);
  }

  async batchByNumber(productCode: string, batchNumber: string, onDate: string): Promise<Batch | null> {
    return queryOne<Batch>(this.db, `SELECT ${BATCH_COLUMNS('$3')} FROM ims.batch b WHERE b.product_code = $1 AND b.batch_number = $2`, [
      productCode,
      batchNumber,
      onDate,
    ]);
  }

  /**
   * Adds a batch; when another user added the same number a moment earlier, returns theirs
   * (created: false) instead of failing, so the caller can compare the expiry it was given.
   */
  async insertBatch(
    b: { productCode: string; batchNumber: string; expiryDate: string; organisationCode: string | null; receivedOn: string | null },
    onDate: string,
  ): Promise<{ batch: Batch; created: boolean }> {
    const inserted = await queryOne<Batch>(
      this.db,
      `INSERT INTO ims.batch AS b (product_code, batch_number, expiry_date, organisation_code, received_on)
       VALUES ($1, $2, $3::date, $4, $5::date)
       ON CONFLICT (product_code, batch_number) DO NOTHING
       RETURNING ${BATCH_COLUMNS('$6')}`,
      [b.productCode, b.batchNumber, b.expiryDate, b.organisationCode, b.receivedOn, onDate],
    );
    if (inserted) return { batch: inserted, created: true };
    const existing = await this.batchByNumber(b.productCode, b.batchNumber, onDate);
    if (!existing) throw new Error(`Batch ${b.batchNumber} neither inserted nor found`);
    return { batch: existing, created: false };
  }

  /** The person's live event with this source identity (the key is per person: 0020). */
  async eventIdBySource(personId: number, sourceSystem: string, sourceId: string): Promise<number | null> {
    const row = await queryOne<{ id: number | null }>(this.db, `SELECT api.vaccination_event_by_source($1, $2, $3) AS id`, [
      personId,
      sourceSystem,
      sourceId,
    ]);
    return row?.id ?? null;
  }

  /** Records through api.record_vaccination (0022); the JSON is keyed by column name. */
  async insertEvent(e: EventInsert): Promise<number> {
    const row = {
      person_id: e.personId,
      programme_code: e.programmeCode,
      outcome: e.outcome,
      not_given_reason: e.notGivenReason,
      occurred_at: e.occurredAt,
      occurred_on: e.occurredOn,
      dose_sequence: e.doseSequence,
      product_code: e.productCode,
      batch_id: e.batchId,
      batch_number: e.batchNumber,
      expiry_date: e.expiryDate,
      site_code: e.siteCode,
      site_term: e.siteTerm,
      route_code: e.routeCode,
      route_term: e.routeTerm,
      dose_amount: e.doseAmount,
      dose_unit_code: e.doseUnitCode,
      dose_unit_term: e.doseUnitTerm,
      performer_name: e.performerName,
      performer_role: e.performerRole,
      location_code: e.locationCode,
      location_type: e.locationType,
      organisation_code: e.organisationCode,
      legal_basis: e.legalBasis,
      primary_source: e.primarySource,
      source_system: e.sourceSystem,
      source_id: e.sourceId,
      notes: e.notes,
      supersedes_id: e.supersedesId,
      change_reason: e.changeReason,
      reported_by: e.reportedBy,
      reported_by_name: e.reportedByName,
    };
    const inserted = await queryOne<{ id: number }>(this.db, `SELECT api.record_vaccination($1::jsonb) AS id`, [JSON.stringify(row)]);
    return (inserted as { id: number }).id;
  }

  /**
   * One event, read for the purpose given (audited); null when absent or outside scope. With
   * lock, the row is locked first, for a status change or correction.
   */
  async event(id: number, purpose: string, lock = false): Promise<VaccinationEvent | null> {
    return queryOne<VaccinationEvent>(
      this.db,
      `WITH v AS (SELECT * FROM api.vaccination_event($1, $2, $3)) SELECT ${EVENT_COLUMNS} ${EVENT_FROM} WHERE e.id = $1`,
      [id, purpose, lock],
    );
  }

  async markEnteredInError(id: number, reason: string): Promise<void> {
    await execute(this.db, `SELECT api.mark_entered_in_error($1, $2)`, [id, reason]);
  }

  /** Every version of every event for the person, newest clinical date first. */
  async eventsForPerson(personId: number, purpose: string): Promise<VaccinationEvent[]> {
    return query<VaccinationEvent>(
      this.db,
      `WITH v AS (SELECT * FROM api.person_vaccinations($1, $2))
       SELECT ${EVENT_COLUMNS} ${EVENT_FROM}
       ORDER BY e.occurred_on DESC, e.occurred_at DESC NULLS LAST, e.id DESC`,
      [personId, purpose],
    );
  }

  async reactionsForPerson(personId: number, purpose: string): Promise<AdverseReaction[]> {
    return query<AdverseReaction>(
      this.db,
      `SELECT ${REACTION_COLUMNS} FROM api.person_reactions($1, $2) r ORDER BY r.onset_at DESC, r.id DESC`,
      [personId, purpose],
    );
  }

  /** One reaction, read for the purpose given (audited); null when absent or outside scope. */
  async reaction(id: number, purpose: string): Promise<AdverseReaction | null> {
    return queryOne<AdverseReaction>(this.db, `SELECT ${REACTION_COLUMNS} FROM api.adverse_reaction($1, $2) r`, [id, purpose]);
  }

  /** Records through api.record_reaction (0022), which returns the row written. */
  async insertReaction(r: ReactionInsert): Promise<AdverseReaction> {
    const row = {
      person_id: r.personId,
      vaccination_event_id: r.eventId,
      onset_at: r.onsetAt,
      reaction_code: r.reactionCode,
      description: r.description,
      seriousness: r.seriousness,
      outcome: r.outcome,
      reporter: r.reporter,
      reported_to_mhra: r.reportedToMhra,
      yellow_card_reference: r.yellowCardReference,
    };
    const rows = await query<AdverseReaction>(this.db, `SELECT ${REACTION_COLUMNS} FROM api.record_reaction($1::jsonb) r`, [
      JSON.stringify(row),
    ]);
    return rows[0] as AdverseReaction;
  }
}

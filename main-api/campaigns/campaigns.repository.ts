// All of the campaigns domain's SQL. Every statement calls an api function of migration 0032,
// which checks the caller's role and scope and audits; this file only binds values and names
// the columns. Runs on the signed-in user's connection (or the owner's, for the command line).
import type { EntityManager } from 'typeorm';
import type {
  BatchConfirmResult,
  BatchPreview,
  BookingImportResult,
  BookingRecorded,
  CampaignDetail,
  CampaignSaveInput,
  CampaignSummary,
  ClinicSaveInput,
  PersonCampaignRecord,
  ReleasePlan,
  SessionSaveInput,
} from '../contract/campaigns';
import { withRefusals } from '../platform/db/errors';
import type { CommunicationPurpose } from '../shared/vocabulary/campaigns';
import type { ContactChannel } from '../shared/vocabulary/contact';
import { query, queryOne, type Queryable } from '../platform/db/database';
import type { BookingRow, ExportRow, RowIssue } from './campaign-files.rules';
import type { ClinicDay } from './waves.rules';

/**
 * The functions answer an absent or out-of-scope campaign, batch or clinic with no_data_found
 * (P0002), and a role that may not run campaigns with insufficient_privilege (42501).
 */
function found<T>(work: Promise<T>): Promise<T> {
  return withRefusals(
    work,
    { P0002: 'NOT_FOUND', '42501': 'FORBIDDEN' },
    { P0002: 'Not available to you.', '42501': 'Your role may not run campaigns.' },
  );
}

async function one<T>(db: Queryable, sql: string, params: unknown[]): Promise<T> {
  const row = await found(queryOne<{ v: T }>(db, sql, params));
  return row!.v;
}

export class CampaignsRepository {
  constructor(private readonly db: Queryable) {}

  list(): Promise<CampaignSummary[]> {
    return one(this.db, 'SELECT api.campaigns() AS v', []);
  }

  detail(code: string): Promise<CampaignDetail> {
    return one(this.db, 'SELECT api.campaign_detail($1) AS v', [code]);
  }

  /**
   * Saves the campaign, its templates and its reminder rules in the caller's transaction. With
   * `create`, the database only inserts: a taken code fails on its unique key (campaign_code_key).
   */
  static async save(tx: EntityManager, c: Omit<CampaignSaveInput, 'create'> & { create?: boolean }): Promise<void> {
    await found(
      query(tx, 'SELECT api.campaign_save($1, $2, $3, $4, $5::text[], $6, $7, $8, $9::text[], $10)', [
        c.code,
        c.name,
        c.programmeCode,
        c.organisationCode,
        c.channels,
        c.bookingRoute,
        c.bookingUrl,
        c.bookingPhone,
        c.recallSeries,
        c.create ?? false,
      ]),
    );
    await query(tx, 'SELECT api.campaign_set_templates($1, $2::text[], $3::text[], $4::text[], $5::integer[])', [
      c.code,
      c.templates.map((t) => t.purpose),
      c.templates.map((t) => t.channel),
      c.templates.map((t) => t.templateName),
      c.templates.map((t) => t.templateVersion),
    ]);
    await query(tx, 'SELECT api.campaign_set_reminder_rules($1, $2::integer[], $3::text[])', [
      c.code,
      c.reminderRules.map((r) => r.daysAfterInvitation),
      c.reminderRules.map((r) => r.channel),
    ]);
  }

  saveClinic(c: ClinicSaveInput): Promise<number> {
    return one(this.db, 'SELECT api.clinic_save($1, $2, $3, $4) AS v', [c.campaignCode, c.name, c.siteCode, c.postcode]);
  }

  saveSession(s: SessionSaveInput): Promise<number> {
    return one(this.db, 'SELECT api.clinic_session_save($1, $2::date, $3::time, $4::time, $5) AS v', [
      s.clinicId,
      s.date,
      s.startsAt,
      s.endsAt,
      s.slots,
    ]);
  }

  async dailySlots(code: string, from: string): Promise<ClinicDay[]> {
    return found(query<ClinicDay>(this.db, 'SELECT day::text AS day, slots FROM api.campaign_daily_slots($1, $2::date)', [code, from]));
  }

  draft(code: string, definition: unknown, draftKey: string): Promise<number> {
    return one(this.db, 'SELECT api.invitation_batch_draft($1, $2::jsonb, $3::uuid) AS v', [code, JSON.stringify(definition), draftKey]);
  }

  preview(batchId: number): Promise<BatchPreview> {
    return one(this.db, 'SELECT api.invitation_batch_preview($1) AS v', [batchId]);
  }

  confirm(batchId: number, p: ReleasePlan): Promise<BatchConfirmResult> {
    return one(this.db, 'SELECT api.invitation_batch_confirm($1, $2, $3, $4::date, $5, $6, $7::text[]) AS v', [
      batchId,
      p.mode,
      p.cap,
      p.startOn,
      p.leadDays,
      p.priority,
      p.practiceOrder,
    ]);
  }

  personRecord(personId: number, purpose: string): Promise<PersonCampaignRecord | null> {
    return one(this.db, 'SELECT api.person_campaign_record($1, $2) AS v', [personId, purpose]);
  }

  async exportRows(
    code: string,
    batchId: number | null,
    purpose: CommunicationPurpose,
    channel: ContactChannel,
    dueBy: string,
    markSent: boolean,
  ): Promise<ExportRow[]> {
    return found(
      query<ExportRow>(
        this.db,
        `SELECT reference::text AS reference, nhs_number AS "nhsNumber", given_name AS "givenName", family_name AS "familyName",
                email, mobile, address_line1 AS "addressLine1", address_line2 AS "addressLine2", address_line3 AS "addressLine3",
                town, postcode
         FROM api.communication_export($1, $2, $3, $4, $5::date, $6)`,
        [code, batchId, purpose, channel, dueBy, markSent],
      ),
    );
  }

  /** Makes the invitation messages of the waves planned up to a day (api.campaign_release). */
  release(code: string | null, upTo: string): Promise<number> {
    return one(this.db, 'SELECT api.campaign_release($1, $2::date) AS v', [code, upTo]);
  }

  runReminders(code: string | null, today: string): Promise<number> {
    return one(this.db, 'SELECT api.campaign_reminders_run($1, $2::date) AS v', [code, today]);
  }

  /** The daily run's consent reminders for school sessions (null when the caller does not run school sessions). */
  async consentReminders(today: string, daysBefore: number): Promise<number | null> {
    const n = await one<number | null>(this.db, 'SELECT api.daily_consent_reminders($1::date, $2) AS v', [today, daysBefore]);
    return n === null ? null : Number(n);
  }

  runRecall(code: string, today: string): Promise<number> {
    return one(this.db, 'SELECT api.campaign_recall_run($1, $2::date) AS v', [code, today]);
  }

  recordBooking(
    code: string,
    personId: number,
    sessionId: number | null,
    bookedFor: string,
    status: string,
    reference: string | null,
  ): Promise<BookingRecorded> {
    return one(this.db, 'SELECT api.booking_record($1, $2, $3, $4::date, $5, $6) AS v', [
      code,
      personId,
      sessionId,
      bookedFor,
      status,
      reference,
    ]);
  }

  /** Checks and writes the rows in the caller's transaction; answers the database's issues (nothing written) or the counts. */
  static async importBookings(
    tx: EntityManager,
    code: string,
    rows: readonly BookingRow[],
  ): Promise<{ ok: boolean; issues: RowIssue[] } & BookingImportResult> {
    return one(tx, 'SELECT api.booking_import($1, $2::jsonb) AS v', [code, JSON.stringify(rows)]);
  }
}

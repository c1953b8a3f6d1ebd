// All of the sending domain's SQL: every statement calls an api function of migration 0036 (0078),
// which checks the caller's role and scope and audits. Each call is its own transaction, so a
// claim is committed (and its lease visible to other senders) before anything is sent.
import type { ExportRow } from '../campaigns';
import type { CommunicationCounts } from '../contract/sending';
import { withRefusals } from '../platform/db/errors';
import type { CommunicationPurpose } from '../shared/vocabulary/campaigns';
import type { ContactChannel } from '../shared/vocabulary/contact';
import type { StandingTemplatePurpose } from '../shared/vocabulary/letters';
import type { DeliveryStatus } from '../shared/vocabulary/sending';
import { query, queryOne, type Queryable } from '../platform/db/database';

/** A claimed communication with what its message needs. */
export interface ClaimedMessage {
  id: number;
  reference: string;
  purpose: CommunicationPurpose | StandingTemplatePurpose;
  channel: ContactChannel;
  templateName: string | null;
  templateVersion: number | null;
  /** Above 1: an earlier sender took it and neither recorded nor let go of it (it may have been sent). */
  attempts: number;
  personId: number;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  email: string | null;
  mobile: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  addressLine3: string | null;
  town: string | null;
  postcode: string | null;
  /** The campaign's name ("Child health" for a message of no campaign). */
  campaignName: string;
  /** A school session's message: the child's school, the session's date and programme. */
  schoolName: string | null;
  sessionDate: string | null;
  schoolProgramme: string | null;
  /** The child health service's consent link and phone, and the name messages sign with. */
  consentLink: string | null;
  consentPhone: string | null;
  organisationName: string | null;
}

/** The child health service as the messages of no campaign name it (ims.child_health_contact). */
export interface ChildHealthContact {
  organisationName: string;
  consentLink: string | null;
  consentPhone: string | null;
  updatedBy: string;
  updatedAt: string;
}

export interface ToPoll {
  id: number;
  reference: string;
  providerId: string;
  channel: ContactChannel;
}

export interface DeliveryOutcome {
  communicationId: number;
  status: string;
  deliveryStatus: DeliveryStatus | null;
  fallbackId: number | null;
  changed: boolean;
}

/** Absent or out of scope answer no_data_found (P0002); the caller's role insufficient_privilege (42501). */
function checked<T>(work: Promise<T>): Promise<T> {
  return withRefusals(
    work,
    { P0002: 'NOT_FOUND', '42501': 'FORBIDDEN', '22023': 'VALIDATION' },
    { P0002: 'Not available to you.', '42501': 'Your role may not do this.', '22023': 'The request is not valid.' },
  );
}

export class SendingRepository {
  constructor(private readonly db: Queryable) {}

  /** A campaign's due messages, or with a null code those of no campaign (children's overdue messages, school consent). */
  claim(
    code: string | null,
    channels: readonly ContactChannel[],
    limit: number,
    leaseSeconds: number,
    today: string,
  ): Promise<ClaimedMessage[]> {
    return checked(
      query<ClaimedMessage>(
        this.db,
        `SELECT communication_id::integer AS id, reference::text AS reference, purpose, channel, template_name AS "templateName",
                template_version AS "templateVersion", attempts, person_id::integer AS "personId", nhs_number AS "nhsNumber",
                given_name AS "givenName", family_name AS "familyName", email, mobile, address_line1 AS "addressLine1",
                address_line2 AS "addressLine2", address_line3 AS "addressLine3", town, postcode, campaign_name AS "campaignName",
                school_name AS "schoolName", to_char(session_date, 'YYYY-MM-DD') AS "sessionDate", school_programme AS "schoolProgramme",
                consent_link AS "consentLink", consent_phone AS "consentPhone", organisation_name AS "organisationName"
         FROM api.communication_claim($1, $2::text[], $3, $4, $5::date)`,
        [code, channels, limit, leaseSeconds, today],
      ),
    );
  }

  async sent(id: number, provider: 'NOTIFY' | 'SMTP', providerId: string): Promise<boolean> {
    const r = await checked(
      queryOne<{ v: boolean }>(this.db, 'SELECT api.communication_sent($1, $2, $3) AS v', [id, provider, providerId]),
    );
    return r!.v;
  }

  /** Answers the fallback's id, or null. */
  async refused(id: number, reason: string): Promise<number | null> {
    const r = await checked(queryOne<{ v: string | null }>(this.db, 'SELECT api.communication_refused($1, $2) AS v', [id, reason]));
    return r!.v === null ? null : Number(r!.v);
  }

  async release(id: number, reason: string, retryAfterSeconds: number): Promise<void> {
    await checked(query(this.db, 'SELECT api.communication_release($1, $2, $3)', [id, reason, retryAfterSeconds]));
  }

  /** Null for a reference this database does not know. */
  async delivery(
    reference: string | null,
    providerId: string | null,
    status: DeliveryStatus,
    reason: string | null,
  ): Promise<DeliveryOutcome | null> {
    const r = await checked(
      queryOne<{ v: DeliveryOutcome | null }>(this.db, 'SELECT api.communication_delivery($1::uuid, $2, $3, $4) AS v', [
        reference,
        providerId,
        status,
        reason,
      ]),
    );
    return r!.v;
  }

  toPoll(code: string | null, limit: number): Promise<ToPoll[]> {
    return checked(
      query<ToPoll>(
        this.db,
        `SELECT communication_id::integer AS id, reference::text AS reference, provider_id AS "providerId", channel
         FROM api.communications_to_poll($1, $2)`,
        [code, limit],
      ),
    );
  }

  async counts(code: string | null): Promise<CommunicationCounts> {
    const r = await checked(queryOne<{ v: CommunicationCounts }>(this.db, 'SELECT api.campaign_communication_counts($1) AS v', [code]));
    return r!.v;
  }

  /**
   * The pending messages of no campaign of one purpose and channel for a Notify bulk send (an
   * audited read), marked sent when asked; one taken by a sender just now is left to it.
   */
  exportRows(purpose: StandingTemplatePurpose, channel: ContactChannel, today: string, markSent: boolean): Promise<ExportRow[]> {
    return checked(
      query<ExportRow>(
        this.db,
        `SELECT reference::text AS reference, nhs_number AS "nhsNumber", given_name AS "givenName", family_name AS "familyName",
                email, mobile, address_line1 AS "addressLine1", address_line2 AS "addressLine2", address_line3 AS "addressLine3",
                town, postcode, school_name AS "schoolName", to_char(session_date, 'YYYY-MM-DD') AS "sessionDate",
                school_programme AS "schoolProgramme"
         FROM api.communication_export(NULL, NULL, $1, $2, $3::date, $4)`,
        [purpose, channel, today, markSent],
      ),
    );
  }

  /** How the messages of no campaign name the child health service (child health staff and administrators). */
  async childHealthContact(): Promise<ChildHealthContact> {
    const r = await checked(queryOne<{ v: ChildHealthContact }>(this.db, 'SELECT api.child_health_contact() AS v', []));
    return r!.v;
  }

  /** Changes it (administrators). */
  async saveChildHealthContact(
    c: Pick<ChildHealthContact, 'organisationName' | 'consentLink' | 'consentPhone'>,
  ): Promise<ChildHealthContact> {
    const r = await checked(
      queryOne<{ v: ChildHealthContact }>(this.db, 'SELECT api.child_health_contact_save($1, $2, $3) AS v', [
        c.organisationName,
        c.consentLink,
        c.consentPhone,
      ]),
    );
    return r!.v;
  }

  async mayConfigure(): Promise<void> {
    await checked(query(this.db, 'SELECT api.sending_settings_check()', []));
  }
}

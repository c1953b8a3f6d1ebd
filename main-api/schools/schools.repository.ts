// SQL for school sessions, run as the signed-in user's role: only the api schema's functions
// (migrations/0070), which check the role and scope and write the audit.
import { query, queryOne, type Queryable } from '../platform/db/database';
import type { ConsentResponse, GillickOutcome, SchoolProgrammeCode, SessionOutcome } from '../shared/vocabulary/schools';

export interface SessionRow {
  id: string;
  schoolUrn: string;
  schoolName: string;
  programme: SchoolProgrammeCode;
  date: string;
  children: string;
  consentGiven: string;
  consentRefused: string;
  notReturned: string;
  vaccinated: string;
  outcomes: string;
}

export interface ChildRow {
  personId: string;
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  yearGroup: number;
  response: ConsentResponse;
  refusalReason: string | null;
  respondent: string | null;
  responseNotes: string | null;
  gillickOutcome: GillickOutcome | null;
  gillickAssessedBy: string | null;
  gillickNotes: string | null;
  outcome: SessionOutcome | null;
  vaccinationEventId: string | null;
  outcomeNotes: string | null;
  requested: boolean;
  reminded: boolean;
}

export interface PersonSessionRow {
  sessionId: string;
  schoolUrn: string;
  schoolName: string;
  programme: SchoolProgrammeCode;
  date: string;
  response: ConsentResponse;
  refusalReason: string | null;
  respondent: string | null;
  gillickOutcome: GillickOutcome | null;
  gillickAssessedBy: string | null;
  outcome: SessionOutcome | null;
  vaccinationEventId: string | null;
}

const SESSION_COLUMNS = `id, school_urn AS "schoolUrn", school_name AS "schoolName", programme, to_char(session_date, 'YYYY-MM-DD') AS date,
  children, consent_given AS "consentGiven", consent_refused AS "consentRefused", not_returned AS "notReturned", vaccinated, outcomes`;

export class SchoolRepository {
  constructor(private readonly db: Queryable) {}

  sessions(from: string | null): Promise<SessionRow[]> {
    return query<SessionRow>(this.db, `SELECT ${SESSION_COLUMNS} FROM api.school_sessions($1::date)`, [from]);
  }

  /** One session's summary (the list function, narrowed: the same scope and counts). */
  session(id: number): Promise<SessionRow | null> {
    return queryOne<SessionRow>(this.db, `SELECT ${SESSION_COLUMNS} FROM api.school_sessions(NULL) WHERE id = $1`, [id]);
  }

  children(sessionId: number): Promise<ChildRow[]> {
    return query<ChildRow>(
      this.db,
      `SELECT person_id AS "personId", nhs_number AS "nhsNumber", given_name AS "givenName", family_name AS "familyName",
              to_char(date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", year_group AS "yearGroup", response,
              refusal_reason AS "refusalReason", respondent, response_notes AS "responseNotes", gillick_outcome AS "gillickOutcome",
              gillick_assessed_by AS "gillickAssessedBy", gillick_notes AS "gillickNotes", outcome,
              vaccination_event_id AS "vaccinationEventId", outcome_notes AS "outcomeNotes", requested, reminded
         FROM api.school_session_children($1)`,
      [sessionId],
    );
  }

  async plan(urn: string, programme: string, date: string): Promise<number> {
    const row = await queryOne<{ id: string }>(this.db, 'SELECT api.school_session_plan($1, $2, $3::date) AS id', [urn, programme, date]);
    return Number(row!.id);
  }

  async refresh(id: number): Promise<{ added: number; requested: number }> {
    const row = await queryOne<{ r: { added: number; requested: number } }>(this.db, 'SELECT api.school_session_refresh($1) AS r', [id]);
    return row!.r;
  }

  async recordConsent(
    sessionId: number,
    personId: number,
    response: string,
    reason: string | null,
    respondent: string | null,
    notes: string | null,
  ): Promise<void> {
    await query(this.db, 'SELECT api.school_consent_record($1, $2, $3, $4, $5, $6)', [
      sessionId,
      personId,
      response,
      reason,
      respondent,
      notes,
    ]);
  }

  async recordGillick(sessionId: number, personId: number, outcome: string, assessedBy: string, notes: string | null): Promise<void> {
    await query(this.db, 'SELECT api.school_gillick_record($1, $2, $3, $4, $5)', [sessionId, personId, outcome, assessedBy, notes]);
  }

  async runReminders(sessionId: number | null, today: string, daysBefore: number): Promise<number> {
    const row = await queryOne<{ n: number }>(this.db, 'SELECT api.school_consent_reminders_run($1, $2::date, $3) AS n', [
      sessionId,
      today,
      daysBefore,
    ]);
    return Number(row!.n);
  }

  async recordOutcome(
    sessionId: number,
    personId: number,
    outcome: string,
    productCode: string | null,
    batchNumber: string | null,
    expiryDate: string | null,
    notes: string | null,
  ): Promise<number | null> {
    const row = await queryOne<{ id: string | null }>(this.db, 'SELECT api.school_outcome_record($1, $2, $3, $4, $5, $6::date, $7) AS id', [
      sessionId,
      personId,
      outcome,
      productCode,
      batchNumber,
      expiryDate,
      notes,
    ]);
    return row?.id == null ? null : Number(row.id);
  }

  personSessions(personId: number): Promise<PersonSessionRow[]> {
    return query<PersonSessionRow>(
      this.db,
      `SELECT session_id AS "sessionId", school_urn AS "schoolUrn", school_name AS "schoolName", programme,
              to_char(session_date, 'YYYY-MM-DD') AS date, response, refusal_reason AS "refusalReason", respondent,
              gillick_outcome AS "gillickOutcome", gillick_assessed_by AS "gillickAssessedBy", outcome,
              vaccination_event_id AS "vaccinationEventId"
         FROM api.person_school_sessions($1, 'view record')`,
      [personId],
    );
  }

  /** A child's school moves and parents (null when the child is not available to the caller). */
  async personClassList(personId: number): Promise<unknown> {
    const row = await queryOne<{ r: unknown }>(this.db, 'SELECT api.person_school_details($1) AS r', [personId]);
    return row?.r ?? null;
  }
}

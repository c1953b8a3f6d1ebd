// School sessions: planning per school, consent (the parent's and the child's own), reminders,
// the day's lists and outcomes. The database checks role and scope and audits (0070); this
// shapes the answers in the contract's words.
import type { DataSource } from 'typeorm';
import {
  PersonClassList,
  type PersonSchoolSession,
  type SchoolHandlers,
  type SchoolSessionDetail,
  type SchoolSessionSummary,
  type SessionChild,
} from '../contract/schools';
import { AppError } from '../contract/result';
import { CONSENT_REMINDER_DAYS, type ConsentRefusalReason } from '../shared/vocabulary/schools';
import { SchoolRepository, type ChildRow, type SessionRow } from './schools.repository';
import { effectiveConsent } from './schools.rules';
import { renderSessionLists } from './session-lists.pdf';

function summary(r: SessionRow): SchoolSessionSummary {
  return {
    id: Number(r.id),
    schoolUrn: r.schoolUrn,
    schoolName: r.schoolName,
    programme: r.programme,
    date: r.date,
    children: Number(r.children),
    consentGiven: Number(r.consentGiven),
    consentRefused: Number(r.consentRefused),
    notReturned: Number(r.notReturned),
    vaccinated: Number(r.vaccinated),
    outcomesRecorded: Number(r.outcomes),
  };
}

function child(r: ChildRow): SessionChild {
  return {
    personId: Number(r.personId),
    nhsNumber: r.nhsNumber,
    givenName: r.givenName,
    familyName: r.familyName,
    dateOfBirth: r.dateOfBirth,
    yearGroup: Number(r.yearGroup),
    response: r.response,
    refusalReason: r.refusalReason as ConsentRefusalReason | null,
    respondent: r.respondent,
    responseNotes: r.responseNotes,
    gillickOutcome: r.gillickOutcome,
    gillickAssessedBy: r.gillickAssessedBy,
    gillickNotes: r.gillickNotes,
    consent: effectiveConsent(r.response, r.gillickOutcome),
    outcome: r.outcome,
    vaccinationEventId: r.vaccinationEventId === null ? null : Number(r.vaccinationEventId),
    outcomeNotes: r.outcomeNotes,
    requested: r.requested,
    reminded: r.reminded,
  };
}

export function createSchoolHandlers(ds: DataSource, today: () => string): SchoolHandlers {
  const repo = new SchoolRepository(ds);

  async function detail(id: number): Promise<SchoolSessionDetail> {
    // The list first: it refuses a session the user may not run, with the database's message.
    const children = (await repo.children(id)).map(child);
    const row = await repo.session(id);
    if (!row) throw new AppError('NOT_FOUND', `No school session ${id} is available to you.`);
    return { session: summary(row), children };
  }

  return {
    'schools.sessions.list': async ({ from }) => (await repo.sessions(from ?? today())).map(summary),
    'schools.sessions.plan': async ({ schoolUrn, programme, date }) => detail(await repo.plan(schoolUrn, programme, date)),
    'schools.sessions.get': async ({ id }) => detail(id),
    'schools.sessions.refresh': async ({ id }) => repo.refresh(id),
    'schools.consent.record': async (i) => {
      await repo.recordConsent(i.sessionId, i.personId, i.response, i.refusalReason ?? null, i.respondent ?? null, i.notes ?? null);
      return detail(i.sessionId);
    },
    'schools.gillick.record': async (i) => {
      await repo.recordGillick(i.sessionId, i.personId, i.outcome, i.assessedBy, i.notes ?? null);
      return detail(i.sessionId);
    },
    'schools.reminders.run': async ({ sessionId }) => ({
      created: await repo.runReminders(sessionId ?? null, today(), CONSENT_REMINDER_DAYS),
    }),
    'schools.outcome.record': async (i) => {
      await repo.recordOutcome(
        i.sessionId,
        i.personId,
        i.outcome,
        i.productCode ?? null,
        i.batchNumber ?? null,
        i.expiryDate ?? null,
        i.notes ?? null,
      );
      return detail(i.sessionId);
    },
    'schools.sessions.pdf': async ({ id }) => {
      const d = await detail(id);
      const pdf = await renderSessionLists(d);
      return {
        fileName: `school-session-${d.session.schoolUrn}-${d.session.programme.toLowerCase()}-${d.session.date}.pdf`,
        contentType: 'application/pdf' as const,
        base64: pdf.toString('base64'),
      };
    },
    // A child out of reach has nothing to show, as for their sessions.
    'schools.person.classList': async ({ personId }): Promise<PersonClassList> =>
      PersonClassList.parse((await repo.personClassList(personId)) ?? { moves: [], parents: [] }),
    'schools.person': async ({ personId }): Promise<PersonSchoolSession[]> =>
      (await repo.personSessions(personId)).map((r) => ({
        sessionId: Number(r.sessionId),
        schoolUrn: r.schoolUrn,
        schoolName: r.schoolName,
        programme: r.programme,
        date: r.date,
        response: r.response,
        refusalReason: r.refusalReason as ConsentRefusalReason | null,
        respondent: r.respondent,
        gillickOutcome: r.gillickOutcome,
        gillickAssessedBy: r.gillickAssessedBy,
        outcome: r.outcome,
        vaccinationEventId: r.vaccinationEventId === null ? null : Number(r.vaccinationEventId),
      })),
  };
}

// Pure rules of a school session: which consent counts, the session's figures, the day's lists,
// and when reminders go. The database applies the same consent rule where it refuses a
// vaccination without consent (migrations/0070, api.school_outcome_record).
import { addDays } from '../shared/calendar/dates';
import { yearGroupLabel } from '../shared/calendar/dates';
import { SCHOOL_PROGRAMME, type ConsentResponse, type GillickOutcome, type SchoolProgrammeCode } from '../shared/vocabulary/schools';

/** A competent child's own decision stands, whatever the parent answered; otherwise the parent's response. */
export function effectiveConsent(response: ConsentResponse, gillick: GillickOutcome | null): ConsentResponse {
  if (gillick === 'COMPETENT_CONSENTS') return 'GIVEN';
  if (gillick === 'COMPETENT_REFUSES') return 'REFUSED';
  return response;
}

export interface SessionFigures {
  children: number;
  consentGiven: number;
  consentRefused: number;
  notReturned: number;
  vaccinated: number;
  outcomesRecorded: number;
}

/** The session's figures from its children (the expected number on the day is consentGiven). */
export function sessionFigures(children: readonly { consent: ConsentResponse; outcome: string | null }[]): SessionFigures {
  const f: SessionFigures = { children: 0, consentGiven: 0, consentRefused: 0, notReturned: 0, vaccinated: 0, outcomesRecorded: 0 };
  for (const c of children) {
    f.children++;
    if (c.consent === 'GIVEN') f.consentGiven++;
    else if (c.consent === 'REFUSED') f.consentRefused++;
    else f.notReturned++;
    if (c.outcome !== null) f.outcomesRecorded++;
    if (c.outcome === 'VACCINATED') f.vaccinated++;
  }
  return f;
}

/** The day's three lists, in the order the team works through them. */
export function listsForTheDay<T extends { consent: ConsentResponse }>(children: readonly T[]): Record<ConsentResponse, T[]> {
  const lists: Record<ConsentResponse, T[]> = { GIVEN: [], REFUSED: [], NOT_RETURNED: [] };
  for (const c of children) lists[c.consent].push(c);
  return lists;
}

/** The year groups a programme invites, in words ("Year 9"; "Reception to Year 11" for a run). */
export function yearGroupsInWords(programme: SchoolProgrammeCode): string {
  const years = [...SCHOOL_PROGRAMME[programme].yearGroups].sort((a, b) => a - b);
  const first = years[0]!;
  const last = years[years.length - 1]!;
  if (years.length === 1) return yearGroupLabel(first);
  if (last - first === years.length - 1) return `${yearGroupLabel(first)} to ${yearGroupLabel(last)}`;
  return years.map((y) => yearGroupLabel(y)).join(', ');
}

/** The first day reminders go for a session: the reminder days before it. */
export function remindersFrom(sessionDate: string, daysBefore: number): string {
  return addDays(sessionDate, -daysBefore);
}

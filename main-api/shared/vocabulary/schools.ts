// School-aged programmes run in schools, and the codes of consent and session outcomes
// (migrations/0070 holds the database's copy; schools.integration.test.ts compares them).
// Year groups: 0 is Reception, 1 to 13 Years 1 to 13 (as ims.person.year_group).
import type { z } from 'zod';
import { yearGroupLabel } from '../calendar/dates';
import { codeSet, column } from './code-set';
import { PRODUCT } from './products';

interface SchoolProgramme {
  label: string;
  /** The year groups a school session for it invites. */
  yearGroups: readonly number[];
  /** The ims.programme a dose is recorded against; null: the seasonal flu programme of the session's date. */
  vaccinationProgramme: string | null;
  /** Products a school team gives for it (dm+d). */
  products: readonly string[];
  /** What the year groups rest on, with facts still to confirm marked (check). */
  note: string;
}

const PROGRAMMES = {
  HPV: {
    label: 'HPV',
    yearGroups: [8],
    vaccinationProgramme: 'SCHOOL_AGED',
    products: [PRODUCT.GARDASIL9],
    note: 'Year 8 (ages 12 to 13); a single dose (check).',
  },
  TD_IPV: {
    label: 'Td/IPV teenage booster',
    yearGroups: [9],
    vaccinationProgramme: 'SCHOOL_AGED',
    products: [PRODUCT.REVAXIS],
    note: 'Year 9 (age 14), given with MenACWY.',
  },
  MENACWY: {
    label: 'MenACWY',
    yearGroups: [9],
    vaccinationProgramme: 'SCHOOL_AGED',
    products: [PRODUCT.NIMENRIX, PRODUCT.MENQUADFI, PRODUCT.MENVEO],
    note: 'Year 9 (age 14), given with the Td/IPV booster.',
  },
  SCHOOL_FLU: {
    label: 'School flu',
    yearGroups: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    vaccinationProgramme: null,
    products: [PRODUCT.FLUENZ, PRODUCT.FLU_CELL],
    note: 'Reception to Year 11, from 1 September; nasal spray, injected vaccine where the nasal spray is unsuitable or refused for its gelatine.',
  },
  MMR_CATCH_UP: {
    label: 'MMR(V) catch-up',
    yearGroups: [9],
    vaccinationProgramme: 'ROUTINE_CHILDHOOD',
    products: [PRODUCT.PRIORIX, PRODUCT.MMRVAXPRO, PRODUCT.PROQUAD, PRODUCT.PRIORIX_TETRA],
    note: 'Offered in Year 9 alongside the teenage booster to those missing a dose (check: local teams also offer it in other secondary years).',
  },
} as const satisfies Record<string, SchoolProgramme>;

export const [SCHOOL_PROGRAMMES, SchoolProgrammeCode, SCHOOL_PROGRAMME_LABELS] = codeSet(column(PROGRAMMES, 'label'));
export type SchoolProgrammeCode = z.infer<typeof SchoolProgrammeCode>;
export const SCHOOL_PROGRAMME: Readonly<Record<SchoolProgrammeCode, SchoolProgramme>> = PROGRAMMES;

/** The year groups a programme invites, in words ("Year 9"; "Reception to Year 11" for a run). */
export function schoolYearGroupsInWords(programme: SchoolProgrammeCode): string {
  const years = [...SCHOOL_PROGRAMME[programme].yearGroups].sort((a, b) => a - b);
  const first = years[0]!;
  const last = years[years.length - 1]!;
  if (years.length === 1) return yearGroupLabel(first);
  if (last - first === years.length - 1) return `${yearGroupLabel(first)} to ${yearGroupLabel(last)}`;
  return years.map((y) => yearGroupLabel(y)).join(', ');
}

/** A parent's answer to a consent request; NOT_RETURNED until one is recorded. */
export const [CONSENT_RESPONSES, ConsentResponse, CONSENT_RESPONSE_LABELS] = codeSet({
  NOT_RETURNED: 'Not returned',
  GIVEN: 'Consent given',
  REFUSED: 'Consent refused',
});
export type ConsentResponse = z.infer<typeof ConsentResponse>;

export const [CONSENT_REFUSAL_REASONS, ConsentRefusalReason, CONSENT_REFUSAL_REASON_LABELS] = codeSet({
  ALREADY_VACCINATED: 'Already vaccinated',
  VACCINATED_ELSEWHERE: 'Will be vaccinated elsewhere (e.g. GP)',
  MEDICAL_REASONS: 'Medical reasons',
  GELATINE: 'Contains gelatine (nasal flu vaccine)',
  PERSONAL_CHOICE: 'Personal choice',
  OTHER: 'Other',
});
export type ConsentRefusalReason = z.infer<typeof ConsentRefusalReason>;

/** The outcome of assessing a child's own competence to consent (Gillick). */
export const [GILLICK_OUTCOMES, GillickOutcome, GILLICK_OUTCOME_LABELS] = codeSet({
  COMPETENT_CONSENTS: 'Competent, and consents',
  COMPETENT_REFUSES: 'Competent, and refuses',
  NOT_COMPETENT: 'Not competent: the parent decides',
});
export type GillickOutcome = z.infer<typeof GillickOutcome>;

/** What happened to a child on the day of the session. */
export const [SESSION_OUTCOMES, SessionOutcome, SESSION_OUTCOME_LABELS] = codeSet({
  VACCINATED: 'Vaccinated',
  ABSENT: 'Absent',
  REFUSED_ON_DAY: 'Refused on the day',
  UNWELL: 'Unwell',
});
export type SessionOutcome = z.infer<typeof SessionOutcome>;

/** The communications a school session sends parents (ims.communication.purpose). */
export const [, , SCHOOL_COMMUNICATION_PURPOSE_LABELS] = codeSet({
  CONSENT_REQUEST: 'School consent request',
  CONSENT_REMINDER: 'School consent reminder',
});

/** Days before a session that reminders go to parents who have not returned consent (NHS England's school service: 7). */
export const CONSENT_REMINDER_DAYS = 7;

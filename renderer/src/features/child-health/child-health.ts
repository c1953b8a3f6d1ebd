// The child health screens' own logic: the register's filter form as the contract's filter,
// a worklist's progress in words, and which fields an action asks for.
import type { ChildFilter, WorklistView } from '../../../../main-api/contract/worklists';
import {
  CHILD_ACTION_KIND_LABELS,
  type ChildActionKind,
  type ChildAgeBand,
  type ChildStatus,
} from '../../../../main-api/shared/vocabulary/child-health';

/** The filter form: lists of codes as typed (comma or space separated), choices, numbers. */
export interface FilterForm {
  practices: string;
  localAuthorities: string;
  districts: string;
  schools: string;
  yearGroups: string;
  ageBands: ChildAgeBand[];
  statuses: ChildStatus[];
  minDaysOverdue: number | null;
  maxDaysOverdue: number | null;
}

export const emptyFilterForm = (): FilterForm => ({
  practices: '',
  localAuthorities: '',
  districts: '',
  schools: '',
  yearGroups: '',
  ageBands: [],
  statuses: [],
  minDaysOverdue: null,
  maxDaysOverdue: null,
});

/** Codes typed with commas or spaces between them, in capitals, each once. */
export function typedCodes(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((c) => c.trim().toUpperCase())
        .filter((c) => c !== ''),
    ),
  ];
}

/** Year groups typed as numbers, or as R (reception) and N (nursery). */
export function typedYearGroups(text: string): number[] | null {
  const out: number[] = [];
  for (const code of typedCodes(text)) {
    const n = code === 'R' ? 0 : code === 'N' ? -1 : /^-?\d{1,2}$/.test(code) ? Number(code) : NaN;
    if (!Number.isInteger(n)) return null;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** The form as the contract's filter: an empty field is left out (it does not narrow). */
export function filterOf(form: FilterForm): ChildFilter {
  const f: Record<string, unknown> = {};
  const lists = { practices: form.practices, localAuthorities: form.localAuthorities, districts: form.districts, schools: form.schools };
  for (const [key, text] of Object.entries(lists)) {
    const codes = typedCodes(text);
    if (codes.length) f[key] = codes;
  }
  const years = typedYearGroups(form.yearGroups);
  if (years && years.length) f.yearGroups = years;
  if (form.ageBands.length) f.ageBands = [...form.ageBands];
  if (form.statuses.length) f.statuses = [...form.statuses];
  if (form.minDaysOverdue !== null) f.minDaysOverdue = form.minDaysOverdue;
  if (form.maxDaysOverdue !== null) f.maxDaysOverdue = form.maxDaysOverdue;
  return f as ChildFilter;
}

/** A worklist's progress in one sentence: how many are left of how many, and what closed the rest. */
export function progressSentence(counts: WorklistView['counts']): string {
  const done = counts.members - counts.open;
  const parts: string[] = [];
  if (counts.noLongerOverdue) parts.push(`${counts.noLongerOverdue} no longer overdue`);
  for (const [kind, n] of Object.entries(counts.closed) as [ChildActionKind, number][])
    if (n) parts.push(`${n} ${CHILD_ACTION_KIND_LABELS[kind].toLowerCase()}`);
  const left = counts.open === 0 ? 'None left to follow up' : `${counts.open} of ${counts.members} still to follow up`;
  return done > 0 && parts.length ? `${left}: ${parts.join(', ')}.` : `${left}.`;
}

/** What the action form asks for, by kind. */
export function actionNeeds(kind: ChildActionKind): { callOutcome: boolean; declineReason: boolean; noteRequired: boolean } {
  return {
    callOutcome: kind === 'CALL',
    declineReason: kind === 'DECLINE',
    noteRequired: kind === 'CONTRAINDICATED' || kind === 'REFER_GP',
  };
}

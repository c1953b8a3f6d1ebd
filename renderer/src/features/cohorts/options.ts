// The choices the cohort builder offers, in the vocabulary's words.
import { ANTIGEN_CODES, ANTIGEN_LABELS } from '../../../../main-api/shared/vocabulary/antigens';
import { COHORT_BREAKDOWNS, COHORT_BREAKDOWN_LABELS } from '../../../../main-api/shared/vocabulary/cohorts';
import {
  ETHNIC_CATEGORIES,
  ETHNIC_CATEGORY_LABELS,
  ETHNIC_GROUPS,
  ETHNIC_GROUP_LABELS,
} from '../../../../main-api/shared/vocabulary/ethnicity';
import { FLAG_CATEGORIES, FLAG_CATEGORY_LABELS, FLAG_CODES, FLAG_LABELS } from '../../../../main-api/shared/vocabulary/flags';
import { GENDER_CODES, GENDER_LABELS, STAFF_GROUPS, STAFF_GROUP_LABELS } from '../../../../main-api/shared/vocabulary/people';
import {
  CAMPAIGN_STATUSES,
  CAMPAIGN_STATUS_LABELS,
  SERIES_STATUSES,
  SERIES_STATUS_LABELS,
} from '../../../../main-api/shared/vocabulary/schedule';
import type { Programme } from '../../../../main-api/contract/vaccination';
import { CRITERION_KINDS } from '../../../../main-api/contract/cohorts';
import { CRITERION_KIND_LABELS, GROUP_KIND_LABELS, type GroupKind } from './cohort-tree';

export interface Option<T extends string = string> {
  label: string;
  value: T;
}

const of = <T extends string>(codes: readonly T[], labels: Readonly<Record<T, string>>): Option<T>[] =>
  codes.map((value) => ({ value, label: labels[value] }));

export const genderOptions = of(GENDER_CODES, GENDER_LABELS);
export const ethnicCategoryOptions = ETHNIC_CATEGORIES.map((value) => ({ value, label: `${value}: ${ETHNIC_CATEGORY_LABELS[value]}` }));
export const ethnicGroupOptions = of(ETHNIC_GROUPS, ETHNIC_GROUP_LABELS);
export const flagOptions = of(FLAG_CODES, FLAG_LABELS);
export const flagCategoryOptions = of(FLAG_CATEGORIES, FLAG_CATEGORY_LABELS);
export const staffGroupOptions = of(STAFF_GROUPS, STAFF_GROUP_LABELS);
export const antigenOptions = of(ANTIGEN_CODES, ANTIGEN_LABELS);
export const seriesStatusOptions = of(SERIES_STATUSES, SERIES_STATUS_LABELS);
export const campaignStatusOptions = of(CAMPAIGN_STATUSES, CAMPAIGN_STATUS_LABELS);
export const criterionKindOptions = of(CRITERION_KINDS, CRITERION_KIND_LABELS);
export const groupKindOptions = of<GroupKind>(['all', 'any', 'not'], GROUP_KIND_LABELS);
export const breakdownOptions = of(COHORT_BREAKDOWNS, COHORT_BREAKDOWN_LABELS);

export const ageUnitOptions: Option[] = [
  { value: 'years', label: 'Years' },
  { value: 'months', label: 'Months' },
  { value: 'weeks', label: 'Weeks' },
];
export const frontlineOptions: Option[] = [
  { value: 'either', label: 'Frontline or not' },
  { value: 'yes', label: 'Frontline only' },
  { value: 'no', label: 'Not frontline' },
];
export const vaccinationStateOptions: Option[] = [
  { value: 'never-had', label: 'Never had' },
  { value: 'doses-before', label: 'Had doses before a date' },
  { value: 'schedule', label: 'Schedule status' },
  { value: 'campaign', label: 'Status in a campaign' },
];
export const invitationStateOptions: Option[] = [
  { value: 'never-invited', label: 'Never invited' },
  { value: 'invited-before', label: 'Last invited before a date' },
  { value: 'invited-not-booked', label: 'Invited, not booked or vaccinated since' },
  { value: 'did-not-attend', label: 'Did not attend a booking' },
];
export const aboutOptions: Option[] = [
  { value: 'antigen', label: 'Protecting against' },
  { value: 'programme', label: 'In a programme' },
];

/** The seasonal campaigns a cohort can be for, newest first: the programmes that are one season's campaign. */
export function campaignOptions(programmes: readonly Programme[]): Option[] {
  return programmes
    .filter((p) => p.campaign !== null)
    .sort((a, b) => (b.startDate ?? '').localeCompare(a.startDate ?? '') || a.code.localeCompare(b.code))
    .map((p) => ({ value: p.code, label: `${p.name} (${p.code})` }));
}

export function programmeOptions(programmes: readonly Programme[]): Option[] {
  return programmes.map((p) => ({ value: p.code, label: p.name }));
}

// Ethnic categories as the NHS Data Dictionary codes them, with the groups they belong to. The
// database holds the same codes and labels in ims.ethnic_category (migrations/0001);
// vocabulary.test.ts checks every category has a group.
import type { z } from 'zod';
import { codeSet, column } from './code-set';

export const [ETHNIC_GROUPS, EthnicGroup, ETHNIC_GROUP_LABELS] = codeSet({
  WHITE: 'White',
  MIXED: 'Mixed',
  ASIAN: 'Asian or Asian British',
  BLACK: 'Black or Black British',
  OTHER: 'Other ethnic groups',
  NOT_STATED: 'Not stated or not known',
});
export type EthnicGroup = z.infer<typeof EthnicGroup>;

const CATEGORIES = {
  A: { label: 'White - British', group: 'WHITE' },
  B: { label: 'White - Irish', group: 'WHITE' },
  C: { label: 'White - Any other White background', group: 'WHITE' },
  D: { label: 'Mixed - White and Black Caribbean', group: 'MIXED' },
  E: { label: 'Mixed - White and Black African', group: 'MIXED' },
  F: { label: 'Mixed - White and Asian', group: 'MIXED' },
  G: { label: 'Mixed - Any other mixed background', group: 'MIXED' },
  H: { label: 'Asian or Asian British - Indian', group: 'ASIAN' },
  J: { label: 'Asian or Asian British - Pakistani', group: 'ASIAN' },
  K: { label: 'Asian or Asian British - Bangladeshi', group: 'ASIAN' },
  L: { label: 'Asian or Asian British - Any other Asian background', group: 'ASIAN' },
  M: { label: 'Black or Black British - Caribbean', group: 'BLACK' },
  N: { label: 'Black or Black British - African', group: 'BLACK' },
  P: { label: 'Black or Black British - Any other Black background', group: 'BLACK' },
  R: { label: 'Other ethnic groups - Chinese', group: 'OTHER' },
  S: { label: 'Other ethnic groups - Any other ethnic group', group: 'OTHER' },
  Z: { label: 'Not stated', group: 'NOT_STATED' },
  '99': { label: 'Not known', group: 'NOT_STATED' },
} as const satisfies Record<string, { label: string; group: EthnicGroup }>;

export const [ETHNIC_CATEGORIES, EthnicCategory, ETHNIC_CATEGORY_LABELS] = codeSet(column(CATEGORIES, 'label'));
export type EthnicCategory = z.infer<typeof EthnicCategory>;

export const ETHNIC_GROUP_OF: Readonly<Record<EthnicCategory, EthnicGroup>> = column(CATEGORIES, 'group');

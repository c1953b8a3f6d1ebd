// Codes on the person register: stated gender, GP registration and staff groups. Each matches
// a CHECK constraint in migrations/0001_person_register.sql (vocabulary.integration.test.ts
// compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';

/** Person stated gender, as the NHS Data Dictionary codes it. */
export const [GENDER_CODES, GenderCode, GENDER_LABELS] = codeSet({
  '0': 'Not known',
  '1': 'Male',
  '2': 'Female',
  '9': 'Not specified',
});
export type GenderCode = z.infer<typeof GenderCode>;

export const [REGISTRATION_STATUSES, RegistrationStatus, REGISTRATION_STATUS_LABELS] = codeSet({
  REGISTERED: 'Registered with a GP practice',
  DEREGISTERED: 'No longer registered',
  DECEASED: 'Deceased',
  UNREGISTERED: 'Not registered with a GP practice',
});
export type RegistrationStatus = z.infer<typeof RegistrationStatus>;

export const [STAFF_GROUPS, StaffGroup, STAFF_GROUP_LABELS] = codeSet({
  MEDICAL: 'Medical',
  NURSING: 'Nursing',
  MIDWIFERY: 'Midwifery',
  AHP: 'Allied health professional',
  SCIENTIFIC: 'Scientific',
  HEALTHCARE_ASSISTANT: 'Healthcare assistant',
  SOCIAL_CARE: 'Social care',
  ADMIN: 'Administrative',
  ESTATES: 'Estates',
  STUDENT: 'Student',
  OTHER: 'Other',
});
export type StaffGroup = z.infer<typeof StaffGroup>;

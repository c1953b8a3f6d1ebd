// Codes on the person register: stated gender, GP registration and staff groups. Each matches
// a CHECK constraint in migrations/0001_person_register.sql (vocabulary.integration.test.ts
// compares them).
import { z } from 'zod';

/** Person stated gender, as the NHS Data Dictionary codes it. */
export const GENDER_CODES = ['0', '1', '2', '9'] as const;
export const GenderCode = z.enum(GENDER_CODES);
export type GenderCode = z.infer<typeof GenderCode>;

export const GENDER_LABELS: Record<GenderCode, string> = {
  '0': 'Not known',
  '1': 'Male',
  '2': 'Female',
  '9': 'Not specified',
};

export const REGISTRATION_STATUSES = ['REGISTERED', 'DEREGISTERED', 'DECEASED', 'UNREGISTERED'] as const;
export const RegistrationStatus = z.enum(REGISTRATION_STATUSES);
export type RegistrationStatus = z.infer<typeof RegistrationStatus>;

export const REGISTRATION_STATUS_LABELS: Record<RegistrationStatus, string> = {
  REGISTERED: 'Registered with a GP practice',
  DEREGISTERED: 'No longer registered',
  DECEASED: 'Deceased',
  UNREGISTERED: 'Not registered with a GP practice',
};

export const STAFF_GROUPS = [
  'MEDICAL',
  'NURSING',
  'MIDWIFERY',
  'AHP',
  'SCIENTIFIC',
  'HEALTHCARE_ASSISTANT',
  'SOCIAL_CARE',
  'ADMIN',
  'ESTATES',
  'STUDENT',
  'OTHER',
] as const;
export const StaffGroup = z.enum(STAFF_GROUPS);
export type StaffGroup = z.infer<typeof StaffGroup>;

export const STAFF_GROUP_LABELS: Record<StaffGroup, string> = {
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
};

// Kinds of organisation and school phases on the register's reference data
// (migrations/0001_person_register.sql; vocabulary.integration.test.ts compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';

export const [ORGANISATION_TYPES, OrganisationType, ORGANISATION_TYPE_LABELS] = codeSet({
  REGION: 'NHS England region',
  ICB: 'Integrated care board',
  PCN: 'Primary care network',
  GP: 'GP practice',
  TRUST: 'NHS trust',
  LA: 'Local authority',
  CARE_HOME: 'Care home',
  EMPLOYER: 'Employer',
  SCHOOL_TRUST: 'School trust',
});
export type OrganisationType = z.infer<typeof OrganisationType>;

export const [SCHOOL_PHASES, SchoolPhase, SCHOOL_PHASE_LABELS] = codeSet({
  PRIMARY: 'Primary',
  SECONDARY: 'Secondary',
  ALL_THROUGH: 'All-through',
  SPECIAL: 'Special school',
  NONE: 'Not applicable',
});
export type SchoolPhase = z.infer<typeof SchoolPhase>;

// A GP practice's status in the ODS file (epraccur), kept as published (migration 0076).
export const [PRACTICE_STATUSES] = codeSet({
  A: 'Active',
  C: 'Closed',
  D: 'Dormant',
  P: 'Proposed',
});

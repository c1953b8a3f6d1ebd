// Kinds of organisation and school phases on the register's reference data
// (migrations/0001_person_register.sql; vocabulary.integration.test.ts compares them).
import { z } from 'zod';

export const ORGANISATION_TYPES = ['REGION', 'ICB', 'PCN', 'GP', 'TRUST', 'LA', 'CARE_HOME', 'EMPLOYER', 'SCHOOL_TRUST'] as const;
export const OrganisationType = z.enum(ORGANISATION_TYPES);
export type OrganisationType = z.infer<typeof OrganisationType>;

export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  REGION: 'NHS England region',
  ICB: 'Integrated care board',
  PCN: 'Primary care network',
  GP: 'GP practice',
  TRUST: 'NHS trust',
  LA: 'Local authority',
  CARE_HOME: 'Care home',
  EMPLOYER: 'Employer',
  SCHOOL_TRUST: 'School trust',
};

export const SCHOOL_PHASES = ['PRIMARY', 'SECONDARY', 'ALL_THROUGH', 'SPECIAL', 'NONE'] as const;
export const SchoolPhase = z.enum(SCHOOL_PHASES);
export type SchoolPhase = z.infer<typeof SchoolPhase>;

export const SCHOOL_PHASE_LABELS: Record<SchoolPhase, string> = {
  PRIMARY: 'Primary',
  SECONDARY: 'Secondary',
  ALL_THROUGH: 'All-through',
  SPECIAL: 'Special school',
  NONE: 'Not applicable',
};

// Clinical flags: the risk groups and circumstances that eligibility rules refer to. The
// database holds the same rows in ims.flag_type (migrations/0001_person_register.sql), with
// these labels and categories; vocabulary.integration.test.ts keeps the two in step.
import type { z } from 'zod';
import { codeSet, column } from './code-set';

export const [FLAG_CATEGORIES, FlagCategory, FLAG_CATEGORY_LABELS] = codeSet({
  RISK_GROUP: 'Risk group',
  PREGNANCY: 'Pregnancy',
  RESIDENCE: 'Residence',
  CARER: 'Carer',
  CONTACT: 'Contact',
  FRAILTY: 'Frailty',
  OTHER: 'Other',
});
export type FlagCategory = z.infer<typeof FlagCategory>;

// The engine keeps a person's flags as a bit mask indexed by this order (compile.ts), so keep
// new codes at the end and the list under 31 entries.
const FLAGS = {
  CHRONIC_RESPIRATORY: { label: 'Chronic respiratory disease', category: 'RISK_GROUP' },
  CHRONIC_HEART: { label: 'Chronic heart disease', category: 'RISK_GROUP' },
  CHRONIC_KIDNEY: { label: 'Chronic kidney disease', category: 'RISK_GROUP' },
  CHRONIC_LIVER: { label: 'Chronic liver disease', category: 'RISK_GROUP' },
  CHRONIC_NEUROLOGICAL: { label: 'Chronic neurological disease', category: 'RISK_GROUP' },
  DIABETES: { label: 'Diabetes and other endocrine disorders', category: 'RISK_GROUP' },
  IMMUNOSUPPRESSION: { label: 'Immunosuppression', category: 'RISK_GROUP' },
  ASPLENIA: { label: 'Asplenia or dysfunction of the spleen', category: 'RISK_GROUP' },
  MORBID_OBESITY: { label: 'Morbid obesity (BMI 40 or more)', category: 'RISK_GROUP' },
  LEARNING_DISABILITY: { label: 'Learning disability', category: 'RISK_GROUP' },
  PREGNANT: { label: 'Pregnant', category: 'PREGNANCY' },
  CARE_HOME_RESIDENT: { label: 'Care home resident', category: 'RESIDENCE' },
  CARER: { label: 'Carer', category: 'CARER' },
  IMMUNOSUPPRESSED_CONTACT: { label: 'Household contact of an immunocompromised person', category: 'CONTACT' },
  FRAILTY: { label: 'Frailty', category: 'FRAILTY' },
  HBSAG_POSITIVE_MOTHER: { label: 'Born to a hepatitis B positive mother', category: 'OTHER' },
  HIV: { label: 'Living with HIV', category: 'RISK_GROUP' },
} as const satisfies Record<string, { label: string; category: FlagCategory }>;

export const [FLAG_CODES, FlagCode, FLAG_LABELS] = codeSet(column(FLAGS, 'label'));
export type FlagCode = z.infer<typeof FlagCode>;

export const FLAG_CATEGORY_OF: Readonly<Record<FlagCode, FlagCategory>> = column(FLAGS, 'category');

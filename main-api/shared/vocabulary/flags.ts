// Clinical flags: the risk groups and circumstances that eligibility rules refer to. The
// database holds the same rows in ims.flag_type (migrations/0001_person_register.sql), with
// these labels and categories; vocabulary.integration.test.ts keeps the two in step.
import { z } from 'zod';

// The engine keeps a person's flags as a bit mask indexed by this order (compile.ts), so keep
// new codes at the end and the list under 31 entries.
export const FLAG_CODES = [
  'CHRONIC_RESPIRATORY',
  'CHRONIC_HEART',
  'CHRONIC_KIDNEY',
  'CHRONIC_LIVER',
  'CHRONIC_NEUROLOGICAL',
  'DIABETES',
  'IMMUNOSUPPRESSION',
  'ASPLENIA',
  'MORBID_OBESITY',
  'LEARNING_DISABILITY',
  'PREGNANT',
  'CARE_HOME_RESIDENT',
  'CARER',
  'IMMUNOSUPPRESSED_CONTACT',
  'FRAILTY',
  'HBSAG_POSITIVE_MOTHER',
  'HIV',
  'TB_RISK',
] as const;
export const FlagCode = z.enum(FLAG_CODES);
export type FlagCode = z.infer<typeof FlagCode>;

export const FLAG_LABELS: Record<FlagCode, string> = {
  CHRONIC_RESPIRATORY: 'Chronic respiratory disease',
  CHRONIC_HEART: 'Chronic heart disease',
  CHRONIC_KIDNEY: 'Chronic kidney disease',
  CHRONIC_LIVER: 'Chronic liver disease',
  CHRONIC_NEUROLOGICAL: 'Chronic neurological disease',
  DIABETES: 'Diabetes and other endocrine disorders',
  IMMUNOSUPPRESSION: 'Immunosuppression',
  ASPLENIA: 'Asplenia or dysfunction of the spleen',
  MORBID_OBESITY: 'Morbid obesity (BMI 40 or more)',
  LEARNING_DISABILITY: 'Learning disability',
  PREGNANT: 'Pregnant',
  CARE_HOME_RESIDENT: 'Care home resident',
  CARER: 'Carer',
  IMMUNOSUPPRESSED_CONTACT: 'Household contact of an immunocompromised person',
  FRAILTY: 'Frailty',
  HBSAG_POSITIVE_MOTHER: 'Born to a hepatitis B positive mother',
  HIV: 'Living with HIV',
  TB_RISK: 'Higher risk of tuberculosis (BCG eligible)',
};

export const FLAG_CATEGORIES = ['RISK_GROUP', 'PREGNANCY', 'RESIDENCE', 'CARER', 'CONTACT', 'FRAILTY', 'OTHER'] as const;
export const FlagCategory = z.enum(FLAG_CATEGORIES);
export type FlagCategory = z.infer<typeof FlagCategory>;

export const FLAG_CATEGORY_LABELS: Record<FlagCategory, string> = {
  RISK_GROUP: 'Risk group',
  PREGNANCY: 'Pregnancy',
  RESIDENCE: 'Residence',
  CARER: 'Carer',
  CONTACT: 'Contact',
  FRAILTY: 'Frailty',
  OTHER: 'Other',
};

export const FLAG_CATEGORY_OF: Record<FlagCode, FlagCategory> = {
  CHRONIC_RESPIRATORY: 'RISK_GROUP',
  CHRONIC_HEART: 'RISK_GROUP',
  CHRONIC_KIDNEY: 'RISK_GROUP',
  CHRONIC_LIVER: 'RISK_GROUP',
  CHRONIC_NEUROLOGICAL: 'RISK_GROUP',
  DIABETES: 'RISK_GROUP',
  IMMUNOSUPPRESSION: 'RISK_GROUP',
  ASPLENIA: 'RISK_GROUP',
  MORBID_OBESITY: 'RISK_GROUP',
  LEARNING_DISABILITY: 'RISK_GROUP',
  PREGNANT: 'PREGNANCY',
  CARE_HOME_RESIDENT: 'RESIDENCE',
  CARER: 'CARER',
  IMMUNOSUPPRESSED_CONTACT: 'CONTACT',
  FRAILTY: 'FRAILTY',
  HBSAG_POSITIVE_MOTHER: 'OTHER',
  HIV: 'RISK_GROUP',
  TB_RISK: 'OTHER',
};

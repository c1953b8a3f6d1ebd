// The antigens a vaccine protects against: the codes the schedule rules, products and the
// forecast use. The database holds the same rows in ims.antigen (migrations/0003), with these
// names; vocabulary.integration.test.ts keeps the two in step.
import type { z } from 'zod';
import { codeSet } from './code-set';

// The engine keeps a person's antigens as a bit mask indexed by this order (compile.ts), so
// keep new codes at the end and the list under 31 entries.
/** What the antigen protects against, as a parent reads it on the printed record. */
export const [ANTIGEN_CODES, Antigen, ANTIGEN_LABELS] = codeSet({
  DIPHTHERIA: 'Diphtheria',
  TETANUS: 'Tetanus',
  PERTUSSIS: 'Pertussis (whooping cough)',
  POLIO: 'Polio',
  HIB: 'Haemophilus influenzae type b',
  HEPB: 'Hepatitis B',
  MENB: 'Meningococcal group B',
  ROTAVIRUS: 'Rotavirus',
  PCV: 'Pneumococcal (conjugate)',
  MENC: 'Meningococcal group C',
  MENACWY: 'Meningococcal groups A, C, W and Y',
  MEASLES: 'Measles',
  MUMPS: 'Mumps',
  RUBELLA: 'Rubella',
  VARICELLA: 'Varicella (chickenpox)',
  HPV: 'Human papillomavirus',
  INFLUENZA: 'Influenza',
  COVID19: 'COVID-19',
  PPV23: 'Pneumococcal (polysaccharide, 23-valent)',
  SHINGLES: 'Shingles (herpes zoster)',
  RSV: 'Respiratory syncytial virus',
  BCG: 'Tuberculosis (BCG)',
});
export type Antigen = z.infer<typeof Antigen>;

/**
 * The name for an antigen code. Codes come from ims.antigen, which an administrator could add
 * to before the application knows the code; such a code is shown as it is rather than hidden.
 */
export function antigenLabel(code: string): string {
  return (ANTIGEN_LABELS as Record<string, string>)[code] ?? code;
}

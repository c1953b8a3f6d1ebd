// A code set written once, as its codes with the words people read. It gives, in this order,
// the codes (in the order written), the zod enum the contract and rule files validate with,
// and the labels:
//   export const [OUTCOMES, Outcome, OUTCOME_LABELS] = codeSet({ GIVEN: 'Given', ... });
import { z } from 'zod';

export function codeSet<const Labels extends Record<string, string>>(labels: Labels) {
  type Code = Extract<keyof Labels, string>;
  const codes = Object.keys(labels) as [Code, ...Code[]];
  return [codes, z.enum(codes), labels as Readonly<Record<Code, string>>] as const;
}

/** One column of a table keyed by code (a code's label, its category, ...), keyed by the same codes. */
export function column<Code extends string, Row, Key extends keyof Row>(rows: Record<Code, Row>, key: Key): Record<Code, Row[Key]> {
  return Object.fromEntries(Object.entries<Row>(rows).map(([code, row]) => [code, row[key]])) as Record<Code, Row[Key]>;
}

// A code set written once, as its codes with the words people read: the order of the codes,
// the zod enum the contract and rule files validate with, and the labels all come from it.
import { z } from 'zod';

export function codeSet<const Labels extends Record<string, string>>(labels: Labels) {
  type Code = Extract<keyof Labels, string>;
  const codes = Object.keys(labels) as [Code, ...Code[]];
  return { codes, schema: z.enum(codes), labels: labels as Readonly<Record<Code, string>> };
}

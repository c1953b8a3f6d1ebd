// Adverse reactions after vaccination: what happened, how serious it was and how the person
// is now. Each set matches a CHECK constraint on ims.adverse_reaction
// (migrations/0003_vaccination_records.sql; vocabulary.integration.test.ts compares them).
import type { z } from 'zod';
import { codeSet } from './code-set';

export const [REACTION_CODES, ReactionCode, REACTION_LABELS] = codeSet({
  LOCAL_REACTION: 'Local reaction at the injection site',
  FEVER: 'Fever',
  ANAPHYLAXIS: 'Anaphylaxis',
  SYNCOPE: 'Fainting (syncope)',
  SEIZURE: 'Seizure',
  RASH: 'Rash',
  HYPOTONIC_HYPORESPONSIVE: 'Hypotonic-hyporesponsive episode',
  OTHER: 'Other',
});
export type ReactionCode = z.infer<typeof ReactionCode>;

export const [SERIOUSNESS, Seriousness, SERIOUSNESS_LABELS] = codeSet({
  NOT_SERIOUS: 'Not serious',
  HOSPITALISED: 'Needed hospital care',
  LIFE_THREATENING: 'Life-threatening',
  FATAL: 'Fatal',
  DISABILITY: 'Caused disability',
});
export type Seriousness = z.infer<typeof Seriousness>;

export const [REACTION_OUTCOMES, ReactionOutcome, REACTION_OUTCOME_LABELS] = codeSet({
  RECOVERED: 'Recovered',
  RECOVERING: 'Recovering',
  NOT_RECOVERED: 'Not recovered',
  RECOVERED_WITH_SEQUELAE: 'Recovered with lasting effects',
  FATAL: 'Fatal',
  UNKNOWN: 'Not known',
});
export type ReactionOutcome = z.infer<typeof ReactionOutcome>;

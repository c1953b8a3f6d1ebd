// Adverse reactions after vaccination: what happened, how serious it was and how the person
// is now. Each set matches a CHECK constraint on ims.adverse_reaction
// (migrations/0003_vaccination_records.sql; vocabulary.integration.test.ts compares them).
import { z } from 'zod';

export const REACTION_CODES = [
  'LOCAL_REACTION',
  'FEVER',
  'ANAPHYLAXIS',
  'SYNCOPE',
  'SEIZURE',
  'RASH',
  'HYPOTONIC_HYPORESPONSIVE',
  'OTHER',
] as const;
export const ReactionCode = z.enum(REACTION_CODES);
export type ReactionCode = z.infer<typeof ReactionCode>;

export const REACTION_LABELS: Record<ReactionCode, string> = {
  LOCAL_REACTION: 'Local reaction at the injection site',
  FEVER: 'Fever',
  ANAPHYLAXIS: 'Anaphylaxis',
  SYNCOPE: 'Fainting (syncope)',
  SEIZURE: 'Seizure',
  RASH: 'Rash',
  HYPOTONIC_HYPORESPONSIVE: 'Hypotonic-hyporesponsive episode',
  OTHER: 'Other',
};

export const SERIOUSNESS = ['NOT_SERIOUS', 'HOSPITALISED', 'LIFE_THREATENING', 'FATAL', 'DISABILITY'] as const;
export const Seriousness = z.enum(SERIOUSNESS);
export type Seriousness = z.infer<typeof Seriousness>;

export const SERIOUSNESS_LABELS: Record<Seriousness, string> = {
  NOT_SERIOUS: 'Not serious',
  HOSPITALISED: 'Needed hospital care',
  LIFE_THREATENING: 'Life-threatening',
  FATAL: 'Fatal',
  DISABILITY: 'Caused disability',
};

export const REACTION_OUTCOMES = ['RECOVERED', 'RECOVERING', 'NOT_RECOVERED', 'RECOVERED_WITH_SEQUELAE', 'FATAL', 'UNKNOWN'] as const;
export const ReactionOutcome = z.enum(REACTION_OUTCOMES);
export type ReactionOutcome = z.infer<typeof ReactionOutcome>;

export const REACTION_OUTCOME_LABELS: Record<ReactionOutcome, string> = {
  RECOVERED: 'Recovered',
  RECOVERING: 'Recovering',
  NOT_RECOVERED: 'Not recovered',
  RECOVERED_WITH_SEQUELAE: 'Recovered with lasting effects',
  FATAL: 'Fatal',
  UNKNOWN: 'Not known',
};

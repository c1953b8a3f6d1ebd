// Vaccination: products, batches, vaccination events with corrections, adverse reactions.
import type { Registration, UserContext } from '../platform/registration';
import type { VaccinationChannel } from '../contract/vaccination';
import { createVaccinationHandlers } from './vaccination.service';

export { createVaccinationHandlers } from './vaccination.service';

/** Writes that change a person's history, after which their schedule status must follow. */
export const HISTORY_WRITES = ['vaccination.record', 'vaccination.correct', 'vaccination.markEnteredInError'] as const;

export function register(ctx: UserContext): Registration<VaccinationChannel> {
  return { handlers: createVaccinationHandlers(ctx.ds, ctx.today) };
}

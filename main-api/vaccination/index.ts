// Vaccination: products, batches, vaccination events with corrections, adverse reactions.
import type { Registration, UserContext } from '../platform/registration';
import type { VaccinationChannel } from '../contract/vaccination';
import { createVaccinationHandlers } from './vaccination.service';

export { createVaccinationHandlers } from './vaccination.service';

export function register(ctx: UserContext): Registration<VaccinationChannel> {
  return { handlers: createVaccinationHandlers(ctx.ds, ctx.today) };
}

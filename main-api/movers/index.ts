// Movers in and out: the catch-up plan for a child arriving with an incomplete or overseas
// history, its printed copy, the arrival on the record, and the transfer summary for a child
// moving away.
import type { MoverHandlers } from '../contract/movers';
import type { Registration, UserContext } from '../platform/registration';
import { createVaccinationHandlers } from '../vaccination';
import { createForecastHandlers } from '../forecast';
import { effectiveRulesOn } from '../schedule';
import { createMoverHandlers } from './movers.service';

export {
  /** @public The service behind the channels; transferPackage is for the exchange to call. */
  MoversService,
  /** @public The exchange's FHIR exporter plugs in here (MoverDeps.exportImmunizations). */
  type ImmunizationBundleExport,
  /** @public */
  type TransferPackage,
} from './movers.service';

export function register(ctx: UserContext): Registration<keyof MoverHandlers> {
  const vaccination = createVaccinationHandlers(ctx.ds, ctx.today);
  const rules = effectiveRulesOn(ctx.ds);
  const forecast = createForecastHandlers(ctx.ds, rules, ctx.today);
  return {
    handlers: createMoverHandlers({
      ds: ctx.ds,
      rules,
      today: ctx.today,
      history: (personId) => vaccination['vaccination.history']({ personId }),
      forecast: (personId) => forecast['forecast.get']({ personId }),
    }),
  };
}

// Movers in and out: the catch-up plan for a child arriving with an incomplete or overseas
// history, its printed copy, the arrival on the record, and the transfer summary for a child
// moving away.
import type { DataSource } from 'typeorm';
import type { MoverHandlers } from '../contract/movers';
import type { Registration, UserContext } from '../platform/registration';
import { createVaccinationHandlers } from '../vaccination';
import { createForecastHandlers } from '../forecast';
import { effectiveRulesOn } from '../schedule';
import { createMoverHandlers, MoversService, type MoverDeps } from './movers.service';

/** What the service needs, on one connection: the rules in force, the history and the forecast. */
function moverDeps(ds: DataSource, today: () => string): MoverDeps {
  const vaccination = createVaccinationHandlers(ds, today);
  const rules = effectiveRulesOn(ds);
  const forecast = createForecastHandlers(ds, rules, today);
  return {
    ds,
    rules,
    today,
    history: (personId) => vaccination['vaccination.history']({ personId }),
    forecast: (personId) => forecast['forecast.get']({ personId }),
  };
}

/** The service on a connection of its own (the command line's). */
export function createMoversService(ds: DataSource, today: () => string): MoversService {
  return new MoversService(moverDeps(ds, today));
}

export function register(ctx: UserContext): Registration<keyof MoverHandlers> {
  return { handlers: createMoverHandlers(moverDeps(ctx.ds, ctx.today)) };
}

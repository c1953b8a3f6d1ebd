// Forecast: a person's schedule status for the record screen and the checks on a proposed dose,
// computed by the schedule engine from what the database holds.
import type { Registration, UserContext } from '../platform/registration';
import { effectiveRulesOn } from '../schedule';
import { createForecastHandlers } from './forecast.service';

export { createForecastHandlers, openForecastByNhsNumber } from './forecast.service';
export { dueNextRows } from './forecast-rows.rules';
export {
  loadPersonForecastInput,
  loadPersonForecastInputs,
  personByNhsNumber,
  PROGRAMME_KIND_ANTIGENS,
  type PersonHeading,
} from './forecast.repository';

export function register(ctx: UserContext): Registration<'forecast.get' | 'vaccination.check'> {
  return { handlers: createForecastHandlers(ctx.ds, effectiveRulesOn(ctx.ds), ctx.today) };
}

// Vaccination exchange: FHIR R4 Immunization import with person matching and a review queue, a
// person's record as FHIR, and the tracked batch files (onward submission, the GP daily update).
import type { ExchangeHandlers } from '../contract/exchange';
import type { Registration, UserContext } from '../platform/registration';
import { createExchangeHandlers } from './exchange.service';

export { exportGpUpdates, exportPeriodFhir, exportVaccinationBatch, importFhir, type ExportSummary } from './exchange.service';

export function register(ctx: UserContext): Registration<keyof ExchangeHandlers> {
  return { handlers: createExchangeHandlers(ctx.ds, ctx.today) };
}

// Documents produced for people: the printable vaccination record (PDF).
import type { DocumentHandlers } from '../contract/documents';
import type { Registration, UserContext } from '../platform/registration';
import { createVaccinationHandlers } from '../vaccination';
import { createForecastHandlers } from '../forecast';
import { effectiveRulesOn } from '../schedule';
import { dueNextFrom, printableRecord } from './printable-record.service';

export function register(ctx: UserContext): Registration<keyof DocumentHandlers> {
  const vaccination = createVaccinationHandlers(ctx.ds, ctx.today);
  const forecast = createForecastHandlers(ctx.ds, effectiveRulesOn(ctx.ds), ctx.today);
  return {
    handlers: {
      'record.printable': ({ personId }) =>
        printableRecord(
          ctx.ds,
          personId,
          (id) => vaccination['vaccination.history']({ personId: id }),
          async (id) => dueNextFrom(await forecast['forecast.get']({ personId: id })),
          ctx.today,
        ),
      // Printing needs a screen: the desktop application replaces this (electron/main/print.ts).
      'record.print': async () => ({ preview: false }),
    },
  };
}

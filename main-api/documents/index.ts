// Documents produced for people: the printable vaccination record (PDF).
import type { DocumentHandlers } from '../contract/documents';
import type { Registration, UserContext } from '../platform/registration';
import { createVaccinationHandlers } from '../vaccination';
import { createForecastHandlers } from '../forecast';
import { effectiveRulesOn } from '../schedule';
import { dueNextFrom, printableRecord } from './printable-record.service';

// The record's building blocks, for other documents about a person (the catch-up plan and the
// transfer summary of movers in and out).
export { pdfDocument, toPrintableInput } from './printable-record.service';
export { PrintableRecordRepository } from './printable-record.repository';
export { renderCatchUpPlanPdf } from './catch-up-plan.pdf';
export { renderTransferSummaryPdf } from './transfer-summary.pdf';

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

// Printing in the desktop application. The record is produced and audited exactly as for a
// download ('record.printable' on the signed-in user's connection, so row-level security and the
// print audit apply); the desktop then shows it instead of saving it. Plain code, no Electron
// import, so it is tested with vitest; the window itself is in print-window.ts.
import type { Handlers } from '../../main-api/contract/contract';
import type { PrintableRecord } from '../../main-api/contract/documents';

/** Shows the PDF in a print preview with the system print dialog; resolves once it is shown. */
export type ShowPrintPreview = (record: PrintableRecord) => Promise<void>;

/** The host's handlers with 'record.print' answered by a print preview on this screen. */
export function withDesktopPrinting(handlers: Handlers, show: ShowPrintPreview): Handlers {
  return {
    ...handlers,
    'record.print': async (input) => {
      await show(await handlers['record.printable'](input));
      return { preview: true };
    },
    // A mover's catch-up plan and transfer summary print the same way, produced and audited as for a download.
    'movers.plan.print': async (input) => {
      await show(await handlers['movers.plan.pdf'](input));
      return { preview: true };
    },
    'movers.transfer.print': async (input) => {
      await show(await handlers['movers.transfer.pdf'](input));
      return { preview: true };
    },
  };
}

// The print preview: Chromium's own PDF viewer in a window of its own, with the system print
// dialog opened over it. Why this way: the record is already a PDF (the same pages a parent gets
// by download), and Electron has no API to print a PDF directly; webContents.print() on a loaded
// PDF prints it (blank pages before Electron 30, fixed by electron/electron#43309). The window
// stays open as the preview, so if the dialog is cancelled the viewer's own Print and Save
// buttons remain, and nothing is written to disk.
import { BrowserWindow, session } from 'electron';
import type { PrintableRecord } from '../../main-api/contract/documents';
import type { ShowPrintPreview } from './print';

type Log = (message: string, error?: unknown) => void;

// An in-memory session of its own: no cookies, cache or storage shared with the application,
// and nothing of the record left on disk afterwards.
const PARTITION = 'print-preview';

export function printPreview(parent: () => BrowserWindow | undefined, log: Log): ShowPrintPreview {
  return async (record: PrintableRecord) => {
    const ses = session.fromPartition(PARTITION);
    ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    const owner = parent();
    const win = new BrowserWindow({
      width: 900,
      height: 1000,
      title: record.fileName,
      ...(owner ? { parent: owner } : {}),
      backgroundColor: '#525659',
      webPreferences: {
        session: ses,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        // The PDF viewer is a plugin; nothing else in this window runs script of ours.
        plugins: true,
        javascript: true,
        webSecurity: true,
        devTools: false,
      },
    });
    win.setMenuBarVisibility(false);
    win.webContents.once('did-finish-load', () => {
      win.webContents.print({ silent: false, printBackground: true }, (printed, reason) => {
        if (!printed && reason !== 'Print job canceled' && reason !== 'cancelled') log(`Printing did not finish: ${reason}`);
      });
    });
    // A data URL keeps the record in memory: no temporary file with a person's details.
    await win.loadURL(`data:${record.contentType};base64,${record.base64}`);
  };
}

// The one application window. All Node and database access stays in the main process; the
// page gets only the contract API from the sandboxed preload.
import { BrowserWindow } from 'electron';

export interface WindowOptions {
  preload: string;
  url: string;
  icon?: string;
  devTools: boolean;
  log: (message: string, error?: unknown) => void;
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    backgroundColor: '#f0f4f5',
    title: 'Immunisation Management System',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
      devTools: options.devTools,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('render-process-gone', (_event, details) => {
    options.log(`Renderer stopped: ${details.reason} (exit code ${details.exitCode})`);
  });
  win.loadURL(options.url).catch((error: unknown) => options.log(`Could not load ${options.url}`, error));
  return win;
}

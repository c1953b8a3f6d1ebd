// Application log (start-up, connection and update events) via electron-log, written to the
// user's log folder. Clinical audit is recorded in the database, never here; no patient data
// or passwords are passed to this logger.
import log from 'electron-log/main';

export type Log = (message: string, error?: unknown) => void;

export function setupLogging(isPackaged: boolean): Log {
  log.transports.file.level = 'info';
  log.transports.console.level = isPackaged ? false : 'debug';
  // Last-resort capture of unexpected exceptions in the main process; no dialog for staff.
  log.errorHandler.startCatching({ showDialog: false });
  return (message, error) => {
    if (error === undefined) log.info(message);
    else log.error(message, error);
  };
}

// Finds the application's own folders (migrations/, resources/) whether running from source
// (tsx), from the electron-vite bundle in out/, or from a packaged app's resources.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function appRoot(): string {
  if (cached) return cached;
  if (process.env.IMS_APP_ROOT) return (cached = process.env.IMS_APP_ROOT);
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath && existsSync(join(resourcesPath, 'migrations'))) return (cached = resourcesPath);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'migrations')) && existsSync(join(dir, 'resources'))) return (cached = dir);
    dir = dirname(dir);
  }
  throw new Error('Cannot find the migrations/ folder next to the application.');
}

export const migrationsDir = (): string => join(appRoot(), 'migrations');
export const resourcesDir = (): string => join(appRoot(), 'resources');

/** Where produced letters are written: IMS_LETTERS_DIR, else "IMS letters" in the user's home folder. */
export const lettersDir = (): string => process.env.IMS_LETTERS_DIR ?? join(homedir(), 'IMS letters');

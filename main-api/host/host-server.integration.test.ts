// The application host against a shared server: a user signs in with their own login role, and
// a database that still needs migrating is refused with the list of pending changes.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration';
import { AppError } from '../contract/result';
import { migrationsDir } from '../platform/paths';
import { createEmptyDatabase, createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { TWO_PRACTICES_SQL } from '../../tests/support/fixtures';
import { dispatch } from './dispatch';
import { createHost, type Host } from './host';

describe('host on a shared server', () => {
  let migrated: TestDatabase;
  let empty: TestDatabase;
  const hosts: Host[] = [];

  beforeAll(async () => {
    [migrated, empty] = await Promise.all([createTestDatabase(), createEmptyDatabase()]);
    await migrated.query(TWO_PRACTICES_SQL);
  });
  afterAll(async () => {
    for (const h of hosts) await h.close();
    await Promise.all([migrated?.drop(), empty?.drop()]);
  });

  it('signs a user in with their own login role and their organisations', async () => {
    const user = await addUser(migrated.url, {
      name: uniqueName('nurse'),
      role: 'child-health',
      orgs: ['G82001'],
      displayName: 'Nurse Server',
    });
    const host = createHost({ target: { kind: 'server', url: migrated.url }, credentials: { user: user.name, password: user.password } });
    hosts.push(host);
    await host.start();
    const state = await dispatch(host.handlers, 'session.state', {});
    expect(state).toMatchObject({
      ok: true,
      value: {
        state: 'signed-in',
        session: {
          user: user.name,
          displayName: 'Nurse Server',
          organisations: [{ code: 'G82001', name: 'Alpha Surgery' }],
          connection: { kind: 'server' },
        },
      },
    });
  });

  it('refuses a database with migrations pending, naming them, and says who must run them', async () => {
    const host = createHost({ target: { kind: 'server', url: empty.url } });
    hosts.push(host);
    const error = await host.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    const files = readdirSync(migrationsDir())
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect((error as AppError).details).toEqual({ kind: 'pending-migrations', pending: files });
    const state = await dispatch(host.handlers, 'session.state', {});
    expect(state).toMatchObject({
      ok: true,
      value: { state: 'failed', message: expect.stringMatching(/Ask an administrator to run "ims migrate"/) },
    });
  });

  it('tells a user registered only in another database that they are not registered for this one', async () => {
    const other = await createTestDatabase();
    try {
      await other.query(TWO_PRACTICES_SQL);
      const stranger = await addUser(other.url, { name: uniqueName('elsewhere'), role: 'administrator', orgs: [] });
      // Registering anyone closes this database to PUBLIC, as the migration does on a real server.
      await addUser(migrated.url, { name: uniqueName('local'), role: 'analyst', orgs: ['G82001'] });
      const server = new URL(migrated.url);
      server.username = '';
      server.password = '';
      const host = createHost({ target: { kind: 'server', url: server.toString() } });
      hosts.push(host);
      await host.start();
      const login = await dispatch(host.handlers, 'session.login', { user: stranger.name, password: stranger.password, remember: false });
      expect(login).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.stringMatching(/not registered for this database/) },
      });
    } finally {
      await other.drop();
    }
  });
});

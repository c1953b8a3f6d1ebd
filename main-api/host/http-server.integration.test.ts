// The host against a shared server: a failed start is reported, and asking again (the
// screen's Try again) makes a fresh attempt that succeeds once the cause is fixed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../administration/users.service';
import { dispatch } from './dispatch';
import { createHost, type Host } from './host';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';

describe('host on a shared server', () => {
  let db: TestDatabase;
  let host: Host;
  const name = uniqueName('late');
  const password = 'a-long-test-password-1';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`INSERT INTO ims.organisation (code, name, org_type) VALUES ('Y59', 'South East', 'REGION')`);
    host = createHost({ target: { kind: 'server', url: db.urlAs(name, password) } });
  });

  afterAll(async () => {
    await host.close();
    await db.drop();
  });

  it('reports a failed start, then signs in on a later try once the account exists', async () => {
    await expect(host.start()).rejects.toThrow();
    // Polling reports the failure and does not retry by itself.
    const failed = await dispatch(host.handlers, 'session.state', {});
    expect(failed).toMatchObject({ ok: true, value: { state: 'failed', message: expect.stringMatching(/not accepted/) } });
    expect(await dispatch(host.handlers, 'session.state', {})).toMatchObject({ value: { state: 'failed' } });

    await addUser(db.url, { name, password, role: 'coordinator', orgs: ['Y59'], displayName: 'Late Arrival' });
    // Try again starts a fresh attempt; polling then follows it to the end.
    const retried = await dispatch(host.handlers, 'session.state', { retry: true });
    expect(retried).toMatchObject({ ok: true, value: { state: 'starting' } });
    let state: unknown;
    for (let i = 0; i < 50; i++) {
      state = await dispatch(host.handlers, 'session.state', {});
      if ((state as { value: { state: string } }).value.state === 'signed-in') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toMatchObject({
      ok: true,
      value: { state: 'signed-in', session: { displayName: 'Late Arrival', connection: { kind: 'server' } } },
    });
  });
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { SessionInfo } from '../../../../main-api/contract/session';
import { capabilitiesOf, type RoleCode } from '../../../../main-api/shared/vocabulary/roles';
import { sessionCan, useSessionStore } from './session';
import { api } from '../transport';

vi.mock('../transport', () => ({ api: { 'health.check': vi.fn() }, transportKind: () => 'ipc' }));
const healthCheck = vi.mocked(api['health.check']);

function sessionAs(...roleCodes: RoleCode[]): SessionInfo {
  return {
    user: 'a_user',
    displayName: 'A User',
    roles: roleCodes,
    roleCodes,
    capabilities: capabilitiesOf(roleCodes),
    today: '2026-03-01',
    organisations: [],
    connection: { kind: 'embedded', host: 'localhost', database: 'ims' },
    version: '0.1.0',
  };
}

beforeEach(() => setActivePinia(createPinia()));

describe('what the session may do', () => {
  it('an analyst reads coverage figures, never records: not view, record, correct or print', () => {
    const store = useSessionStore();
    store.session = sessionAs('analyst');
    expect(store.capabilities).toEqual(['coverage.view']);
    expect(store.roleCodes).toEqual(['analyst']);
    expect(store.can('coverage.view')).toBe(true);
    expect(store.can('record.view')).toBe(false);
    expect(store.can('vaccination.record')).toBe(false);
    expect(store.can('record.print')).toBe(false);
  });

  it('a coordinator may record and print; nobody signed in may do nothing', () => {
    const store = useSessionStore();
    expect(store.can('record.view')).toBe(false);
    expect(store.capabilities).toEqual([]);
    store.session = sessionAs('coordinator');
    expect(store.can('vaccination.record')).toBe(true);
    expect(store.can('record.print')).toBe(true);
    expect(store.can('users.manage')).toBe(false);
    expect(sessionCan(null, 'record.view')).toBe(false);
  });
});

describe("today's date", () => {
  it('comes from the main process at sign-in and moves on when a form asks again after midnight', async () => {
    const store = useSessionStore();
    expect(store.today).toBe('');
    store.session = sessionAs('child-health');
    expect(store.today).toBe('2026-03-01');
    healthCheck.mockResolvedValueOnce({ ok: true, value: { database: 'ok', latencyMs: 1, today: '2026-03-02' } });
    expect(await store.refreshToday()).toBe('2026-03-02');
    expect(store.session.today).toBe('2026-03-02');
  });

  it('keeps the date it had when the main process cannot be asked', async () => {
    const store = useSessionStore();
    store.session = sessionAs('child-health');
    healthCheck.mockResolvedValueOnce({ ok: false, error: { code: 'UNAVAILABLE', message: 'down' } });
    expect(await store.refreshToday()).toBe('2026-03-01');
  });
});

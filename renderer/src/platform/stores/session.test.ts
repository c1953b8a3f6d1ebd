import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { SessionInfo } from '../../../../main-api/contract/session';
import { capabilitiesOf, type RoleCode } from '../../../../main-api/shared/vocabulary/roles';
import { sessionCan, useSessionStore } from './session';

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
  it('an analyst may read records but not record, correct or print', () => {
    const store = useSessionStore();
    store.session = sessionAs('analyst');
    expect(store.capabilities).toEqual(['record.view']);
    expect(store.roleCodes).toEqual(['analyst']);
    expect(store.can('record.view')).toBe(true);
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

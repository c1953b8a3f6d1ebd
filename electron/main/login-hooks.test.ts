import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../../main-api/contract/contract';
import { AppError } from '../../main-api/contract/result';
import { CredentialStore, type Cipher } from './credentials';
import { forgetOnFailedLogin, isAuthFailure, rememberOnLogin } from './login-hooks';

const cipher: Cipher = {
  isEncryptionAvailable: () => true,
  encryptString: (t) => Buffer.from(t, 'utf8').reverse(),
  decryptString: (b) => Buffer.from(b).reverse().toString('utf8'),
};
const SERVER = 'postgres://db.example:5432/ims';
let dir: string;
let store: CredentialStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ims-login-'));
  store = new CredentialStore(join(dir, 'c.json'), cipher);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('isAuthFailure', () => {
  it('recognises rejected passwords from the host and from PostgreSQL', () => {
    expect(isAuthFailure(new AppError('UNAUTHENTICATED', 'no'))).toBe(true);
    expect(isAuthFailure(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }))).toBe(true);
    expect(isAuthFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isAuthFailure(new AppError('UNAVAILABLE', 'down'))).toBe(false);
  });
});

describe('rememberOnLogin', () => {
  it('stores when asked and forgets when not', () => {
    const onLogin = rememberOnLogin(store, SERVER);
    onLogin('jsmith', 'pw', true);
    expect(store.load(SERVER)).toEqual({ user: 'jsmith', password: 'pw' });
    onLogin('jsmith', 'pw', false);
    expect(store.load(SERVER)).toBeNull();
  });
});

describe('forgetOnFailedLogin', () => {
  const login = (impl: () => Promise<unknown>) => ({ 'session.login': impl }) as unknown as Handlers;
  const input = { user: 'jsmith', password: 'old', remember: false };

  it('deletes the remembered password when the server rejects a sign-in', async () => {
    store.remember(SERVER, { user: 'jsmith', password: 'old' });
    const wrapped = forgetOnFailedLogin(
      login(async () => Promise.reject(Object.assign(new Error('auth'), { code: '28P01' }))),
      store,
    );
    await expect(wrapped['session.login'](input)).rejects.toThrow('auth');
    expect(existsSync(join(dir, 'c.json'))).toBe(false);
  });

  it('keeps it when the failure is not about the password', async () => {
    store.remember(SERVER, { user: 'jsmith', password: 'old' });
    const wrapped = forgetOnFailedLogin(
      login(async () => Promise.reject(new AppError('UNAVAILABLE', 'down'))),
      store,
    );
    await expect(wrapped['session.login'](input)).rejects.toThrow('down');
    expect(store.load(SERVER)).toEqual({ user: 'jsmith', password: 'old' });
  });
});

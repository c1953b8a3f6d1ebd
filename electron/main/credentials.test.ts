import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore, needsCredentials, serverKey, type Cipher } from './credentials';

/** Stands in for the OS key store: reversible, keyed, and never leaves the plain text in the output. */
function testCipher(options: { available?: boolean; backend?: string; key?: number } = {}): Cipher {
  const key = options.key ?? 0x5a;
  return {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString: (text) => Buffer.from([...Buffer.from(`v1:${text}`, 'utf8')].map((b) => b ^ key)),
    decryptString: (buf) => {
      const text = Buffer.from([...buf].map((b) => b ^ key)).toString('utf8');
      if (!text.startsWith('v1:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return text.slice(3);
    },
  };
}

const SERVER = 'postgres://ims.trust.nhs.uk:5432/ims_region';
let dir: string;
let file: string;
let logs: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ims-cred-'));
  file = join(dir, 'server-credentials.json');
  logs = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const store = (cipher: Cipher = testCipher()) => new CredentialStore(file, cipher, (m) => logs.push(m));

describe('needsCredentials', () => {
  it('is true only for a server URL without a password', () => {
    expect(needsCredentials({ kind: 'server', url: SERVER })).toBe(true);
    expect(needsCredentials({ kind: 'server', url: 'postgres://jo@ims.trust.nhs.uk/ims' })).toBe(true);
    expect(needsCredentials({ kind: 'server', url: 'postgres://jo:pw@ims.trust.nhs.uk/ims' })).toBe(false);
    expect(needsCredentials({ kind: 'embedded', dataDir: '/tmp/x' })).toBe(false);
  });

  it('keys servers by host, port and database only', () => {
    expect(serverKey('postgres://a:b@DB.example/ims')).toBe('db.example:5432/ims');
    expect(serverKey('postgresql://db.example:6543/')).toBe('db.example:6543/postgres');
  });
});

describe('CredentialStore', () => {
  it('remembers a password encrypted, owner-only, and gives it back for the same server', () => {
    expect(store().remember(SERVER, { user: 'jsmith', password: 'Correct-Horse-9' })).toBe(true);
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('Correct-Horse-9');
    expect(raw).toContain('jsmith');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    expect(store().load(SERVER)).toEqual({ user: 'jsmith', password: 'Correct-Horse-9' });
    expect(store().rememberedUser(SERVER)).toBe('jsmith');
  });

  it('never offers the password to a different server or database', () => {
    store().remember(SERVER, { user: 'jsmith', password: 'pw1' });
    expect(store().load('postgres://other.example:5432/ims_region')).toBeNull();
    expect(store().load('postgres://ims.trust.nhs.uk:5432/other_db')).toBeNull();
    expect(store().rememberedUser('postgres://other.example/ims_region')).toBeNull();
  });

  it('stores nothing when the key store is unavailable or is the plain-text fallback', () => {
    for (const cipher of [testCipher({ available: false }), testCipher({ backend: 'basic_text' })]) {
      expect(store(cipher).remember(SERVER, { user: 'jsmith', password: 'pw' })).toBe(false);
      expect(existsSync(file)).toBe(false);
    }
    expect(logs.some((l) => l.includes('not remembered'))).toBe(true);
  });

  it('removes a file it cannot decrypt or parse', () => {
    store(testCipher({ key: 0x11 })).remember(SERVER, { user: 'jsmith', password: 'pw' });
    expect(store(testCipher({ key: 0x22 })).load(SERVER)).toBeNull();
    expect(existsSync(file)).toBe(false);

    writeFileSync(file, '{not json');
    expect(store().load(SERVER)).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it('forgets', () => {
    store().remember(SERVER, { user: 'jsmith', password: 'pw' });
    store().forget();
    expect(existsSync(file)).toBe(false);
    expect(store().load(SERVER)).toBeNull();
    store().forget(); // no file: still fine
  });
});

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SendingSettingsInput } from '../contract/sending';
import { keyFileCipher, osKeyStoreCipher, SendingSettingsStore } from './settings.store';

const KEY = 'live-11111111-2222-4333-8444-555555555555-66666666-7777-4888-9999-aaaaaaaaaaaa';

describe('sending settings', () => {
  it('keeps secrets encrypted on disk, never shows them, and keeps them when a save leaves them out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-settings-'));
    const store = new SendingSettingsStore(dir, keyFileCipher(join(dir, 'keys', 'sending.key')));
    store.save(
      SendingSettingsInput.parse({ provider: 'NOTIFY', notifyApiKey: KEY, smtpPassword: 'hunter2-hunter2', callbackToken: 'a'.repeat(20) }),
    );
    const onDisk = readFileSync(store.file, 'utf8');
    expect(onDisk).not.toContain(KEY);
    expect(onDisk).not.toContain('hunter2');
    expect(statSync(store.file).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'keys', 'sending.key')).mode & 0o077).toBe(0);
    const view = store.view();
    expect(JSON.stringify(view)).not.toContain(KEY);
    expect(view).toMatchObject({ provider: 'NOTIFY', hasNotifyApiKey: true, hasSmtpPassword: true, hasCallbackToken: true });
    store.save(SendingSettingsInput.parse({ provider: 'NOTIFY', ratePerMinute: 100 }));
    expect(store.load()).toMatchObject({ notifyApiKey: KEY, ratePerMinute: 100 });
    store.save(SendingSettingsInput.parse({ provider: 'NONE', clearSecrets: true }));
    expect(store.load()).toMatchObject({ notifyApiKey: null, smtpPassword: null });
  });

  it('cannot be read with another key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-settings-'));
    new SendingSettingsStore(dir, keyFileCipher(join(dir, 'one.key'))).save(
      SendingSettingsInput.parse({ provider: 'NOTIFY', notifyApiKey: KEY }),
    );
    expect(() => new SendingSettingsStore(dir, keyFileCipher(join(dir, 'two.key'))).load()).toThrow(/another key/);
  });

  it('refuses a key file inside the application folder', () => {
    expect(() => keyFileCipher('/work/app/sending.key', '/work/app')).toThrow(/must not be inside/);
  });

  it('uses the operating system key store only when it really protects', () => {
    const fake = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from(s.split('').reverse().join('')),
      decryptString: (b: Buffer) => b.toString().split('').reverse().join(''),
      getSelectedStorageBackend: () => 'gnome_libsecret',
    };
    const cipher = osKeyStoreCipher(fake)!;
    expect(cipher.decrypt(cipher.encrypt('secret'))).toBe('secret');
    expect(osKeyStoreCipher({ ...fake, getSelectedStorageBackend: () => 'basic_text' })).toBeNull();
    expect(osKeyStoreCipher({ ...fake, isEncryptionAvailable: () => false })).toBeNull();
  });
});

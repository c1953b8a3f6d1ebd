// Remembered sign-in for a shared server. The password is only ever written encrypted by the
// operating system's key store (Electron safeStorage: DPAPI, Keychain, libsecret/kwallet);
// when that is not available nothing is remembered. The file is bound to one server so a
// password is never offered to a different host or database.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseTarget } from '../../main-api/platform/db/config';

/** The subset of Electron's safeStorage used here; injectable for tests. */
export interface Cipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means a hard-coded key, which is not real protection. */
  getSelectedStorageBackend?: () => string;
}

export interface Credentials {
  user: string;
  password: string;
}

interface StoredFile {
  version: 1;
  server: string;
  user: string;
  password: string; // base64 of the OS-encrypted bytes
}

export const CREDENTIALS_FILE = 'server-credentials.json';

/** True when the app must ask for (or supply) a user and password for the target. */
export function needsCredentials(target: DatabaseTarget): boolean {
  if (target.kind !== 'server') return false;
  try {
    return new URL(target.url).password === '';
  } catch {
    return false;
  }
}

/** Identifies a server and database without user or password. */
export function serverKey(url: string): string {
  const u = new URL(url);
  const port = u.port || '5432';
  const database = u.pathname.replace(/^\//, '') || 'postgres';
  return `${u.hostname.toLowerCase()}:${port}/${database}`;
}

function encryptionUsable(cipher: Cipher): { usable: boolean; reason?: string } {
  try {
    if (!cipher.isEncryptionAvailable()) return { usable: false, reason: 'the operating system key store is not available' };
    const backend = cipher.getSelectedStorageBackend?.();
    if (backend === 'basic_text') return { usable: false, reason: 'no desktop key store (libsecret or kwallet) is running' };
    return { usable: true };
  } catch (error) {
    return { usable: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export class CredentialStore {
  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
    private readonly log: (message: string, error?: unknown) => void = () => {},
  ) {}

  private read(): StoredFile | null {
    if (!existsSync(this.file)) return null;
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<StoredFile>;
      if (data.version !== 1 || typeof data.server !== 'string' || typeof data.user !== 'string' || typeof data.password !== 'string') {
        throw new Error('unrecognised format');
      }
      return data as StoredFile;
    } catch (error) {
      this.log('The remembered sign-in could not be read and has been removed', error);
      this.forget();
      return null;
    }
  }

  /** The remembered user for this server, for pre-filling the sign-in form. */
  rememberedUser(serverUrl: string): string | null {
    const data = this.read();
    return data && data.server === serverKey(serverUrl) ? data.user : null;
  }

  /** Decrypted credentials for this server, or null. A file that cannot be decrypted is removed. */
  load(serverUrl: string): Credentials | null {
    const data = this.read();
    if (!data || data.server !== serverKey(serverUrl)) return null;
    if (!encryptionUsable(this.cipher).usable) return null;
    try {
      const password = this.cipher.decryptString(Buffer.from(data.password, 'base64'));
      return { user: data.user, password };
    } catch (error) {
      // E.g. the profile moved to another machine or the OS key changed.
      this.log('The remembered password could not be decrypted and has been removed', error);
      this.forget();
      return null;
    }
  }

  /** Stores the password encrypted. Returns false (and stores nothing) when encryption is unavailable. */
  remember(serverUrl: string, credentials: Credentials): boolean {
    const check = encryptionUsable(this.cipher);
    if (!check.usable) {
      this.log(`The password was not remembered because ${check.reason}`);
      this.forget();
      return false;
    }
    const data: StoredFile = {
      version: 1,
      server: serverKey(serverUrl),
      user: credentials.user,
      password: this.cipher.encryptString(credentials.password).toString('base64'),
    };
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(data), { mode: 0o600 });
    renameSync(temp, this.file);
    return true;
  }

  forget(): void {
    rmSync(this.file, { force: true });
  }
}

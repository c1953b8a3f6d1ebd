// How this installation sends, kept on the machine: the Notify API key, the SMTP password and the
// callback token are encrypted, the rest is plain. On the desktop the secrets are encrypted by the
// operating system's key store (Electron safeStorage, registered by the desktop process); on a
// server or the command line by AES-256-GCM with a key file outside the repository (created on
// first use, readable by its owner only). Nothing here logs a secret, and the screen only ever
// hears whether one is set.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import type { NotifyTemplate, SendingSettingsInput, SendingSettingsView } from '../contract/sending';
import { AppError } from '../contract/result';

/** Encrypts and decrypts the secrets. */
export interface SecretCipher {
  /** Where the key lives, in words for the settings screen. */
  readonly description: string;
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export interface SendingSettings {
  provider: 'NOTIFY' | 'SMTP' | 'NONE';
  notifyBaseUrl: string;
  notifyApiKey: string | null;
  templates: NotifyTemplate[];
  postage: 'first' | 'second' | 'economy';
  ratePerMinute: number;
  smtpHost: string;
  smtpPort: number;
  smtpSecure: boolean;
  smtpUser: string;
  smtpPassword: string | null;
  smtpFrom: string;
  callbackToken: string | null;
}

const NOTIFY_PRODUCTION = 'https://api.notifications.service.gov.uk';

const DEFAULT_SETTINGS: SendingSettings = {
  provider: 'NONE',
  notifyBaseUrl: NOTIFY_PRODUCTION,
  notifyApiKey: null,
  templates: [],
  postage: 'second',
  ratePerMinute: 3000,
  smtpHost: '',
  smtpPort: 587,
  smtpSecure: false,
  smtpUser: '',
  smtpPassword: null,
  smtpFrom: '',
  callbackToken: null,
};

const SECRETS = ['notifyApiKey', 'smtpPassword', 'callbackToken'] as const;
type Secret = (typeof SECRETS)[number];

interface StoredFile {
  version: 1;
  settings: Omit<SendingSettings, Secret>;
  /** Each secret sealed by the cipher. */
  secrets: Partial<Record<Secret, string>>;
}

const SETTINGS_FILE = 'sending-settings.json';
const KEY_FILE = 'sending.key';

/** The folder for the settings (and the key file) when the desktop has not named one. */
function defaultSendingDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.IMS_SENDING_DIR ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'ims');
}

/** AES-256-GCM with a 32-byte key kept in a file of its own (made on first use, mode 0600). */
export function keyFileCipher(keyFile: string, repositoryRoot: string | null = null): SecretCipher {
  const path = resolve(keyFile);
  if (repositoryRoot !== null) {
    const rel = relative(resolve(repositoryRoot), path);
    if (!rel.startsWith('..') && !isAbsolute(rel)) {
      throw new AppError('UNAVAILABLE', 'The key file for sending settings must not be inside the application folder.');
    }
  }
  let key: Buffer | null = null;
  const load = (): Buffer => {
    if (key) return key;
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    const k = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (k.length !== 32) throw new AppError('UNAVAILABLE', 'The key file for sending settings is not a 32-byte key.');
    return (key = k);
  };
  return {
    description: `a key file (${path})`,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', load(), iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['k1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    decrypt(sealed) {
      const [tag, iv, auth, body] = sealed.split('.');
      if (tag !== 'k1' || !iv || !auth || body === undefined) throw new Error('not sealed with a key file');
      const d = createDecipheriv('aes-256-gcm', load(), Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(auth, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
    },
  };
}

/** The part of Electron's safeStorage used here (the desktop process passes it in). */
export interface OsKeyStore {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?: () => string;
}

/** The operating system's key store, or null when it gives no real protection here. */
export function osKeyStoreCipher(store: OsKeyStore): SecretCipher | null {
  try {
    if (!store.isEncryptionAvailable() || store.getSelectedStorageBackend?.() === 'basic_text') return null;
  } catch {
    return null;
  }
  return {
    description: "the operating system's key store",
    encrypt: (plain) => `o1.${store.encryptString(plain).toString('base64')}`,
    decrypt: (sealed) => {
      if (!sealed.startsWith('o1.')) throw new Error('not sealed by the key store');
      return store.decryptString(Buffer.from(sealed.slice(3), 'base64'));
    },
  };
}

let desktop: { dir: string; cipher: SecretCipher | null } | null = null;

/** Called once by the desktop process when it is ready: its data folder and the key store. */
export function useDesktopSecrets(dir: string, cipher: SecretCipher | null): void {
  desktop = { dir, cipher };
}

export class SendingSettingsStore {
  readonly file: string;

  constructor(
    dir: string,
    private readonly cipher: SecretCipher,
  ) {
    this.file = join(dir, SETTINGS_FILE);
  }

  /** The store the running process uses: the desktop's, or the folder and key file of the environment. */
  static current(env: NodeJS.ProcessEnv = process.env, repositoryRoot: string | null = null): SendingSettingsStore {
    if (desktop && !env.IMS_SENDING_DIR) {
      const cipher = desktop.cipher ?? keyFileCipher(join(desktop.dir, KEY_FILE), repositoryRoot);
      return new SendingSettingsStore(desktop.dir, cipher);
    }
    const dir = defaultSendingDir(env);
    return new SendingSettingsStore(dir, keyFileCipher(env.IMS_SENDING_KEY_FILE ?? join(dir, KEY_FILE), repositoryRoot));
  }

  load(): SendingSettings {
    if (!existsSync(this.file)) return { ...DEFAULT_SETTINGS };
    let data: StoredFile;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8')) as StoredFile;
      if (data.version !== 1 || typeof data.settings !== 'object') throw new Error('unrecognised format');
    } catch {
      throw new AppError('UNAVAILABLE', `The sending settings in ${this.file} cannot be read; save them again.`);
    }
    const settings: SendingSettings = {
      ...DEFAULT_SETTINGS,
      ...data.settings,
      notifyApiKey: null,
      smtpPassword: null,
      callbackToken: null,
    };
    for (const name of SECRETS) {
      const sealed = data.secrets?.[name];
      if (typeof sealed !== 'string') continue;
      try {
        settings[name] = this.cipher.decrypt(sealed);
      } catch {
        // The key changed (another machine, a new key file): the secret is lost, never guessed.
        throw new AppError('UNAVAILABLE', 'The sending settings were encrypted with another key; enter the keys again.');
      }
    }
    return settings;
  }

  save(input: SendingSettingsInput): SendingSettings {
    const before = existsSync(this.file) ? this.loadOrDefault() : { ...DEFAULT_SETTINGS };
    const keep = (given: string | undefined, old: string | null): string | null =>
      input.clearSecrets ? (given ? given : null) : given === undefined || given === '' ? old : given;
    const next: SendingSettings = {
      provider: input.provider,
      notifyBaseUrl: input.notifyBaseUrl,
      notifyApiKey: keep(input.notifyApiKey, before.notifyApiKey),
      templates: input.templates,
      postage: input.postage,
      ratePerMinute: input.ratePerMinute,
      smtpHost: input.smtpHost,
      smtpPort: input.smtpPort,
      smtpSecure: input.smtpSecure,
      smtpUser: input.smtpUser,
      smtpPassword: keep(input.smtpPassword, before.smtpPassword),
      smtpFrom: input.smtpFrom,
      callbackToken: keep(input.callbackToken, before.callbackToken),
    };
    const { notifyApiKey, smtpPassword, callbackToken, ...plain } = next;
    const secrets: StoredFile['secrets'] = {};
    for (const [name, value] of Object.entries({ notifyApiKey, smtpPassword, callbackToken })) {
      if (value) secrets[name as Secret] = this.cipher.encrypt(value);
    }
    const data: StoredFile = { version: 1, settings: plain, secrets };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(data, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
    return next;
  }

  private loadOrDefault(): SendingSettings {
    try {
      return this.load();
    } catch {
      return { ...DEFAULT_SETTINGS };
    }
  }

  view(settings: SendingSettings = this.load()): SendingSettingsView {
    return {
      provider: settings.provider,
      notifyBaseUrl: settings.notifyBaseUrl,
      hasNotifyApiKey: settings.notifyApiKey !== null,
      templates: settings.templates,
      postage: settings.postage,
      ratePerMinute: settings.ratePerMinute,
      smtpHost: settings.smtpHost,
      smtpPort: settings.smtpPort,
      smtpSecure: settings.smtpSecure,
      smtpUser: settings.smtpUser,
      hasSmtpPassword: settings.smtpPassword !== null,
      smtpFrom: settings.smtpFrom,
      hasCallbackToken: settings.callbackToken !== null,
      protection: this.cipher.description,
    };
  }
}

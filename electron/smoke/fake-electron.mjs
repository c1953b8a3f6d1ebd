// A stand-in for the parts of Electron's main-process API the shell uses, so the built main
// bundle (out/main/index.js) can run under plain Node where Electron's binary is unavailable.
// It records what the shell asked for; run-main.mjs drives it and checks the answers.
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const calls = [];
const userData = mkdtempSync(join(tmpdir(), 'ims-smoke-userdata-'));

class App extends EventEmitter {
  isPackaged = false;
  name = 'ims-smoke';
  getName() {
    return this.name;
  }
  getVersion() {
    return '0.0.0';
  }
  requestSingleInstanceLock() {
    return true;
  }
  enableSandbox() {
    calls.push('enableSandbox');
  }
  setAppUserModelId() {}
  getPath(name) {
    return name === 'userData' ? userData : tmpdir();
  }
  whenReady() {
    return new Promise((resolve) => setTimeout(resolve, 10));
  }
  quit() {
    calls.push('quit');
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) {
      calls.push('exit');
      this.emit('exit');
    }
  }
}
export const app = new App();

export const ipcMain = {
  handlers: new Map(),
  on() {},
  handle(name, listener) {
    this.handlers.set(name, listener);
  },
  removeHandler(name) {
    this.handlers.delete(name);
  },
};

export const protocol = {
  schemes: null,
  handler: null,
  registerSchemesAsPrivileged(schemes) {
    this.schemes = schemes;
  },
  handle(_scheme, handler) {
    this.handler = handler;
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler(h) {
      this.request = h;
    },
    setPermissionCheckHandler(h) {
      this.check = h;
    },
    setDevicePermissionHandler(h) {
      this.device = h;
    },
  },
};

export const shell = { openExternal: async (url) => void calls.push(`openExternal ${url}`) };

// As on a Linux machine without a key store: nothing may be remembered.
export const safeStorage = {
  isEncryptionAvailable: () => false,
  encryptString: () => {
    throw new Error('unavailable');
  },
  decryptString: () => {
    throw new Error('unavailable');
  },
};

class WebContents extends EventEmitter {
  mainFrame = { url: '', parent: null };
  setWindowOpenHandler(handler) {
    this.openHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    app.emit('web-contents-created', {}, this.webContents);
    BrowserWindow.all.push(this);
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
  show() {}
  async loadURL(url) {
    this.webContents.mainFrame.url = url;
    calls.push(`loadURL ${url}`);
  }
}

export default { app, ipcMain, protocol, session, shell, safeStorage, BrowserWindow };

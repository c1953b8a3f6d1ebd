// Loaded with `node --import`: sends both ESM and CommonJS imports of "electron" to the stand-in.
import { register, createRequire } from 'node:module';
register('./hooks.mjs', import.meta.url);
// CommonJS packages (electron-log) require('electron') too; point them at a CJS proxy.
const require = createRequire(import.meta.url);
const Module = require('node:module');
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'electron') return new URL('./electron-cjs.cjs', import.meta.url).pathname;
  return original.call(this, request, ...rest);
};
globalThis.__fakeElectron = await import('./fake-electron.mjs');

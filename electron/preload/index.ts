// Sandboxed preload: bundled to a single CommonJS file (out/preload/index.cjs) whose only
// runtime import is 'electron'. It exposes the contract API and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from './api';

contextBridge.exposeInMainWorld(
  'ims',
  buildApi((name, input) => ipcRenderer.invoke(name, input)),
);

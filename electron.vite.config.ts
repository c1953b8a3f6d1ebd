import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { CONTENT_SECURITY_POLICY_META } from './main-api/platform/csp';

const CSP_PLACEHOLDER = '%IMS_CONTENT_SECURITY_POLICY%';

/**
 * Writes the renderer's Content-Security-Policy into index.html's <meta> tag, from the same
 * definition the app:// and HTTP headers use, so the three cannot drift apart. A page without
 * the placeholder fails the build rather than ship unprotected.
 */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'ims-content-security-policy',
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        if (!html.includes(CSP_PLACEHOLDER)) throw new Error(`index.html has no ${CSP_PLACEHOLDER} for the Content-Security-Policy.`);
        return html.replaceAll(CSP_PLACEHOLDER, CONTENT_SECURITY_POLICY_META);
      },
    },
  };
}

// Three builds: main (Node + Electron), preload (one sandboxed CommonJS bundle), renderer (browser only).
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      // letter-worker: the worker thread that draws letters (main-api/letters/letter-pool.ts loads
      // it from beside the main bundle).
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          'letter-worker': resolve(__dirname, 'main-api/letters/letter.worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [vue(), contentSecurityPolicy()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});

// Runs the built main process (out/main/index.js) under Node against the Electron stand-in and
// a real embedded PostgreSQL, then checks the shell's behaviour: window options, IPC sender
// checks, start-up to a signed-in session, navigation and permission guards, app:// serving,
// and a clean database shutdown on quit. Usage (after `npm run build`):
//   node --import ./electron/smoke/register.mjs electron/smoke/run-main.mjs
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dataDir = mkdtempSync(join(tmpdir(), 'ims-smoke-data-'));
process.env.IMS_DATA_DIR = dataDir;
delete process.env.IMS_DATABASE_URL;
delete process.env.ELECTRON_RENDERER_URL;

const E = await import('electron');
await import(pathToFileURL(join(process.cwd(), 'out/main/index.js')).href);
const { app, ipcMain, BrowserWindow, protocol, session, calls } = E;
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const step = (name) => console.log(`ok - ${name}`);

try {
  while (BrowserWindow.all.length === 0) await wait(20);
  const win = BrowserWindow.all[0];
  const prefs = win.options.webPreferences;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.webSecurity, true);
  assert.match(prefs.preload, /out[\\/]preload[\\/]index\.cjs$/);
  assert.ok(calls.includes('enableSandbox'));
  assert.ok(calls.includes('loadURL app://ims/index.html'));
  step('window is sandboxed and loads app://ims/');

  const invoke = (name, input, frame = win.webContents.mainFrame, sender = win.webContents) =>
    ipcMain.handlers.get(name)({ senderFrame: frame, sender }, input);
  assert.ok(ipcMain.handlers.has('ims:session.state'));
  // electron-log's own channel is unreachable: the preload exposes no ipcRenderer.
  assert.deepEqual(
    [...ipcMain.handlers.keys()].filter((name) => !name.startsWith('ims:')).filter((n) => n !== '__ELECTRON_LOG__'),
    [],
  );
  step('IPC handlers registered');

  let state;
  const deadline = Date.now() + 300_000;
  do {
    const result = await invoke('ims:session.state', {});
    assert.equal(result.ok, true);
    state = result.value;
    if (state.state === 'starting') await wait(250);
  } while (state.state === 'starting' && Date.now() < deadline);
  assert.equal(state.state, 'signed-in', `start-up ended in ${JSON.stringify(state)}`);
  const health = await invoke('ims:health.check', {});
  assert.equal(health.ok, true, JSON.stringify(health));
  step('embedded database started and the session is signed in');

  for (const [frame, sender] of [
    [{ url: 'app://ims/index.html', parent: win.webContents.mainFrame }, win.webContents],
    [{ url: 'https://evil.example/', parent: null }, win.webContents],
    [win.webContents.mainFrame, {}],
    [null, win.webContents],
  ]) {
    const refused = await invoke('ims:health.check', {}, frame, sender);
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, 'FORBIDDEN');
  }
  step('untrusted senders are refused');

  const navigate = (url) => {
    const event = {
      url,
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    win.webContents.emit('will-navigate', event);
    return event.defaultPrevented;
  };
  assert.equal(navigate('https://evil.example/'), true);
  assert.equal(navigate('app://ims/index.html#/search'), false);
  assert.deepEqual(win.webContents.openHandler({ url: 'https://www.nhs.uk/vaccinations/' }), { action: 'deny' });
  assert.deepEqual(win.webContents.openHandler({ url: 'https://evil.example/' }), { action: 'deny' });
  await wait(10);
  assert.ok(calls.includes('openExternal https://www.nhs.uk/vaccinations/'));
  assert.ok(!calls.some((c) => c.includes('evil.example')));
  let granted = null;
  session.defaultSession.request(null, 'media', (g) => (granted = g));
  assert.equal(granted, false);
  assert.equal(session.defaultSession.check(null, 'clipboard-read'), false);
  step('navigation, new windows and permissions are guarded');

  assert.deepEqual(
    protocol.schemes.map((s) => s.scheme),
    ['app'],
  );
  const page = await protocol.handler(new Request('app://ims/'));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  const traversal = await protocol.handler(new Request('app://ims/..%2fmain%2findex.js'));
  assert.notEqual(traversal.status, 200);
  step('app:// serves the renderer with CSP and refuses traversal');

  const exited = new Promise((resolve) => app.once('exit', resolve));
  app.quit();
  await Promise.race([exited, wait(30_000).then(() => assert.fail('quit did not finish'))]);
  assert.deepEqual(
    calls.filter((c) => c === 'quit' || c === 'exit'),
    ['quit', 'quit', 'exit'],
  );
  const after = await invoke('ims:health.check', {});
  assert.equal(after.ok, false);
  step('quit closes the database before exit');
  console.log('main-process smoke test passed');
  process.exitCode = 0;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
  setTimeout(() => process.exit(), 100).unref();
}

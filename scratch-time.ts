import { rmSync } from 'node:fs';
import pg from 'pg';
import { startEmbedded } from './main-api/db/embedded';
import { migrate } from './main-api/db/migrate';
import { migrationsDir } from './main-api/db/paths';
import { runDemoLoad } from './main-api/demo/load';
const n = Number(process.argv[2] ?? 50000);
const dir = process.env.TIME_DIR ?? '/tmp/ims-time';
rmSync(dir, { recursive: true, force: true });
const s = await startEmbedded({ dataDir: dir, persistent: false });
const admin = new pg.Client({ connectionString: s.superuserUrl('postgres') });
await admin.connect(); await admin.query('CREATE DATABASE t'); await admin.end();
const url = s.superuserUrl('t');
await migrate(url, migrationsDir());
let last = performance.now(); let phase = '';
const times: Record<string, number> = {};
const r = await runDemoLoad(url, { persons: n, seed: 1, histories: process.argv[3] !== 'off', onProgress: (p) => {
  if (p.phase !== phase) { const now = performance.now(); if (phase) times[phase] = (times[phase] ?? 0) + (now - last) / 1000; last = now; phase = p.phase; }
} });
console.log(JSON.stringify({ seconds: r.seconds, histories: r.histories, times }, null, 1));
await s.stop();

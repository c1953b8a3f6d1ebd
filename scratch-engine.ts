import pg from 'pg';
import { startEmbedded } from './main-api/db/embedded';
import { loadPersonForecastInput } from './main-api/forecast/repository';
import { scheduleRules } from './main-api/forecast/rules';
import { forecast } from './main-api/schedule';
const s = await startEmbedded({ dataDir: '/tmp/ims-hist-1' });
const c = new pg.Client({ connectionString: s.superuserUrl('ims') });
await c.connect();
const rules = scheduleRules();
const { rows } = await c.query<{ id: string }>(`select id from ims.person where date_of_birth > date '2026-10-01' - interval '19 years' and registration_status='REGISTERED' order by id limit 2000`);
const ignored = new Map<string, number>();
const status = new Map<string, number>();
for (const r of rows) {
  const input = (await loadPersonForecastInput(c, Number(r.id)))!;
  const f = forecast(rules, input.person, input.events, '2026-10-01');
  for (const sr of f.series) {
    const k = `${sr.seriesId} ${sr.status}`;
    status.set(k, (status.get(k) ?? 0) + 1);
    for (const ig of sr.dosesIgnored) { const k2 = `${sr.seriesId}: ${ig.reason}`; ignored.set(k2, (ignored.get(k2) ?? 0) + 1); }
  }
}
console.log([...status].sort());
console.log([...ignored].sort((a, b) => b[1] - a[1]).slice(0, 40));
await c.end();
await s.stop();

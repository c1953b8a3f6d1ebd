import { readFileSync } from 'node:fs';
import pg from 'pg';
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
async function main() {
  const c = new pg.Client({ connectionString: process.argv[2] }); await c.connect();
  const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p as number;
  const def = '{"format":1,"name":"All","campaign":"FLU_2026_27","referenceDate":"2026-08-31","criteria":{"age":{"min":20}},"exclusions":{"invitedWithinDays":0}}';
  await c.query('BEGIN');
  const code = 'CPU-' + (Date.now() % 100000);
  await c.query(`SELECT api.campaign_save($1, 'cpu', 'FLU_2026_27', 'QKS', ARRAY['LETTER','SMS','EMAIL'], 'NATIONAL', NULL, NULL, NULL)`, [code]);
  await c.query(`SELECT api.campaign_set_templates($1, ARRAY['INVITATION'], ARRAY['SMS'], ARRAY['x'], ARRAY[1])`, [code]);
  const b = (await c.query(`SELECT api.invitation_batch_draft($1, $2::jsonb, gen_random_uuid()) AS b`, [code, def])).rows[0].b;
  for (const [label, sql] of [
    ['baseline: 200k-row INSERT into an unindexed scratch table', `CREATE TEMP TABLE scratch AS SELECT id, id AS person_id, 1 AS wave, current_date AS d, 'SMS'::text AS channel, gen_random_uuid() AS ref FROM ims.person`],
    ['confirm 200,000 invitations + communications', `SELECT api.invitation_batch_confirm(${b}, 'per-week', 50000, '2026-10-01', 0, 'most-deprived', NULL)->'invited' AS n`],
  ] as const) {
    const c0 = cpu(pid); const t0 = Date.now();
    const r = await c.query(sql);
    console.log(`${label}: wall ${((Date.now() - t0) / 1000).toFixed(2)} s, backend CPU ${(cpu(pid) - c0).toFixed(2)} s`, r.rows[0] ?? '');
  }
  const t1 = Date.now(); await c.query('ROLLBACK'); console.log('rollback', Date.now() - t1, 'ms');
  await c.end();
}
void main();

// Child health worklists at regional scale, for `npm run bench`: a worklist of every overdue
// child in the region made and opened (its first page with the engine's explanations, and its
// counts) as a child health user scoped to the whole region, and the register's first page and
// counts; beside the same first page and counts written as plain SQL over the register's own
// tables (person and series status) in the same run.
import type { DataSource } from 'typeorm';
import type { WorklistView } from '../contract/worklists';
import { query, queryOne } from '../platform/db/database';
import { effectiveRulesOn } from '../schedule';
import { createWorklistHandlers } from './worklists.service';

export interface WorklistBenchResult {
  children: number;
  members: number;
  createMs: number;
  openMedianMs: number;
  openP95Ms: number;
  registerMedianMs: number;
  registerP95Ms: number;
  plainMs: number;
  same: boolean;
  detail: string;
}

const median = (t: number[]): number => t[Math.floor(t.length / 2)]!;
const p95 = (t: number[]): number => t[Math.min(t.length - 1, Math.floor(0.95 * t.length))]!;

async function timed(runs: number, work: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

/**
 * The baseline: the worklist's counts by practice and its first page (practice, longest overdue)
 * straight from ims.person and ims.series_status, as the owner, with no derived table.
 */
async function plainSql(owner: DataSource, practices: string[], las: string[], today: string, limit: number) {
  const t = performance.now();
  const counts = await query<{ practice: string; n: string }>(
    owner,
    `SELECT coalesce(p.practice_code, '') AS practice, count(*) AS n
     FROM ims.person p
     WHERE (p.practice_code = ANY ($1) OR p.la_code = ANY ($2))
       AND p.date_of_birth <= $3::date AND p.date_of_birth > ($3::date - interval '20 years')::date
       AND p.date_of_death IS NULL AND p.registration_status <> 'DECEASED'
       AND EXISTS (SELECT 1 FROM ims.series_status s WHERE s.person_id = p.id AND s.kind = 'SERIES' AND s.status = 'OVERDUE')
     GROUP BY 1`,
    [practices, las, today],
  );
  const page = await query<{ id: string }>(
    owner,
    `SELECT p.id FROM ims.person p
     JOIN LATERAL (SELECT min(s.overdue_from) AS since FROM ims.series_status s
                   WHERE s.person_id = p.id AND s.kind = 'SERIES' AND s.status = 'OVERDUE') o ON o.since IS NOT NULL
     WHERE (p.practice_code = ANY ($1) OR p.la_code = ANY ($2))
       AND p.date_of_birth <= $3::date AND p.date_of_birth > ($3::date - interval '20 years')::date
       AND p.date_of_death IS NULL AND p.registration_status <> 'DECEASED'
     ORDER BY coalesce(p.practice_code, ''), o.since, p.id LIMIT $4`,
    [practices, las, today, limit],
  );
  return {
    ms: performance.now() - t,
    open: counts.reduce((sum, r) => sum + Number(r.n), 0),
    groups: counts.length,
    page: page.map((r) => Number(r.id)),
  };
}

/** Times opening the worklist (runs times) and the register's first page, and the plain SQL twice (the faster kept). */
export async function benchWorklists(
  owner: DataSource,
  user: DataSource,
  scope: { practices: string[]; las: string[] },
  today: string,
  runs = 20,
): Promise<WorklistBenchResult> {
  const built = await queryOne<{ n: string }>(owner, 'SELECT count(*) AS n FROM ims.child_status');
  if (Number(built?.n ?? 0) === 0) await query(owner, 'SELECT ims.child_status_rebuild($1::date)', [today]);
  const handlers = createWorklistHandlers(user, effectiveRulesOn(user), () => today);
  const limit = 50;

  const t = performance.now();
  const made = await handlers['worklists.create']({ name: `Bench overdue ${Date.now()}`, filter: {}, groupBy: 'PRACTICE', assignTo: null });
  const createMs = performance.now() - t;
  const open = () => handlers['worklists.open']({ id: made.id, group: null, after: null, limit });
  const first: WorklistView = await open();
  const openTimes = await timed(runs, open);

  const registerFirst = async () => {
    await handlers['childHealth.register.page']({
      filter: { statuses: ['OVERDUE'] },
      sort: 'overdue',
      descending: false,
      after: null,
      limit,
    });
    return handlers['childHealth.register.counts']({ filter: {} });
  };
  const counts = await registerFirst();
  const registerTimes = await timed(runs, registerFirst);

  let plain = await plainSql(owner, scope.practices, scope.las, today, limit);
  const again = await plainSql(owner, scope.practices, scope.las, today, limit);
  if (again.ms < plain.ms) plain = again;

  const ours = first.rows.map((r) => r.personId);
  const samePage = ours.length === plain.page.length && ours.every((id, i) => id === plain.page[i]);
  const same = first.counts.open === plain.open && first.groups.length === plain.groups && samePage;
  return {
    children: counts.total,
    members: made.members,
    createMs,
    openMedianMs: median(openTimes),
    openP95Ms: p95(openTimes),
    registerMedianMs: median(registerTimes),
    registerP95Ms: p95(registerTimes),
    plainMs: plain.ms,
    same,
    detail: same
      ? ''
      : `open ${first.counts.open} vs ${plain.open}, groups ${first.groups.length} vs ${plain.groups}, first page ${samePage ? 'same' : 'differs'}`,
  };
}

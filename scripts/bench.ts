// `npm run bench`: the speed targets, measured on a throwaway embedded database (or
// IMS_BENCH_DATABASE_URL, a server where the caller may create databases).
//   IMS_BENCH_PERSONS (default 2,000,000): size of the demo region loaded.
//   IMS_BENCH_FEED_ROWS (default 1,000,000): rows of the demographic file the import pipeline loads;
//   IMS_BENCH_FEED_IMPORT=0 times the load alone, without the whole import after it.
//   --only feeds: the import pipeline's part alone (on an empty migrated database).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { addUser } from '../main-api/administration/users.service';
import { withCredentials, withDatabase } from '../main-api/platform/db/config';
import { execute, query, queryOne } from '../main-api/platform/db/database';
import { createDatabaseIfMissing, openDataSource, openOwnerDataSource } from '../main-api/platform/db/datasource';
import { startEmbedded, type EmbeddedServer } from '../main-api/platform/db/embedded';
import { migrate } from '../main-api/platform/db/migrator';
import { migrationsDir } from '../main-api/platform/paths';
import { benchDemoLoad, runDemoLoad } from '../main-api/demo/load';
import { BenchmarkNhsNumbers, demoCapacityFrom } from '../main-api/demo/nhs-sequence';
import { readDemoRegion } from '../main-api/demo/region';
import { PersonRepository } from '../main-api/people/person.repository';
import { PersonService } from '../main-api/people/person.service';
import { benchForecast, loadDefaultRules } from '../main-api/schedule/schedule.bench';
import { benchForecastOne, benchForecastRefresh } from '../main-api/forecast/forecast.bench';
import { DEMO_AS_OF } from '../main-api/demo/generate';
import { todayInLondon } from '../main-api/shared/calendar/england';
import { benchCohortCount } from '../main-api/cohorts/cohorts.bench';
import { benchConfirm } from '../main-api/campaigns/campaigns.bench';
import { benchLetters } from '../main-api/letters/letters.bench';
import { benchCoverReturn } from '../main-api/reporting/cover.bench';
import { benchFeedLoad } from '../main-api/feeds/feeds.bench';
import { benchWorklists } from '../main-api/worklists/worklists.bench';
import { benchMatch } from '../main-api/exchange/exchange.bench';

const persons = Number(process.env.IMS_BENCH_PERSONS ?? 2_000_000);
const feedRows = Number(process.env.IMS_BENCH_FEED_ROWS ?? 1_000_000);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const line = (text: string): void => void process.stdout.write(`${text}\n`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  let server: EmbeddedServer | null = null;
  let dataDir: string | null = null;
  let adminUrl = process.env.IMS_BENCH_DATABASE_URL;
  if (!adminUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'ims-bench-'));
    server = await startEmbedded({ dataDir, persistent: false });
    adminUrl = server.superuserUrl('postgres');
  }
  const dbName = `ims_bench_${Date.now()}`;
  await createDatabaseIfMissing(adminUrl, dbName);
  const url = withDatabase(adminUrl, dbName);
  const owner = await openOwnerDataSource(url, 'IMS benchmark');
  try {
    await migrate(owner, migrationsDir());
    if (only === 'feeds') {
      line(`${machineLoad()}\n`);
      await benchFeeds(owner);
      return;
    }
    line(`IMS benchmark: ${fmt(persons)} persons`);
    line(`${machineLoad()}\n`);

    // No database: first, while the machine has only this to do.
    await benchLetterProduction();

    line('Demo region load (target: 2,000,000 persons in under 120 s)');
    // Beyond the 999 range's capacity, the throwaway benchmark database borrows a block that is
    // never issued to patients (see BenchmarkNhsNumbers); `ims demo` itself stays in 999.
    const plan = () => (persons > demoCapacityFrom() ? { ...readDemoRegion(), nhsNumbers: new BenchmarkNhsNumbers() } : readDemoRegion());
    for (const row of await benchDemoLoad(owner, persons, 1, plan())) {
      line(
        `  ${row.name.padEnd(58)} ${fmt(row.rows).padStart(11)} rows ${row.seconds.toFixed(1).padStart(7)} s ${fmt(row.rowsPerSecond).padStart(10)} rows/s`,
      );
    }
    const loaded = await runDemoLoad(owner, { persons, seed: 1 }, plan());
    line(
      `  full demo region with vaccination histories (kept for the next steps): ${loaded.seconds.toFixed(1)} s, ` +
        `of which histories ${loaded.histories.seconds.toFixed(1)} s for ${fmt(loaded.histories.events)} events ` +
        `(${fmt(loaded.histories.events / loaded.histories.seconds)} events/s)\n`,
    );

    await benchSearch(owner, url);
    await benchSchedule();
    await benchForecastInDatabase(owner, url);
    await benchCohorts(owner, url);
    await benchCampaigns(owner, url);
    await benchCover(owner, url);
    await benchChildHealth(owner, url);
    // Matching reads the demo region as loaded; the feeds part then adds a million people.
    await benchMatching(owner);
    await benchFeeds(owner);
  } finally {
    await owner.destroy();
    const admin = await openOwnerDataSource(adminUrl, 'IMS benchmark');
    await execute(admin, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.destroy();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Person search as a real signed-in coordinator scoped to the whole ICB: the scope is applied
 * to every candidate, as it would be for any user below administrator.
 */
interface SampleRow {
  nhs_number: string;
  family_name: string;
  given_name: string;
  dob: string;
  postcode: string;
  sector: string;
}

async function benchSearch(owner: DataSource, url: string): Promise<void> {
  line('Person search as a coordinator scoped to the whole ICB (target: 95th percentile at most 20 ms)');
  const icb = await queryOne<{ code: string }>(owner, `SELECT code FROM ims.organisation WHERE org_type = 'ICB' ORDER BY code LIMIT 1`);
  const user = await addUser(owner, { name: `bench_${Date.now()}`, role: 'coordinator', orgs: [icb!.code] });
  const ds = await openDataSource(withCredentials(url, user.name, user.password));
  const service = new PersonService(new PersonRepository(ds), todayInLondon);
  const sample = await query<SampleRow>(
    owner,
    `SELECT nhs_number, family_name, given_name, to_char(date_of_birth, 'DD/MM/YYYY') AS dob, postcode, postcode_sector AS sector
     FROM ims.person TABLESAMPLE SYSTEM (1) WHERE postcode IS NOT NULL LIMIT 200`,
  );
  // Each search also counts its matches (up to 1,000) and, for a surname, looks for
  // sound-alike surnames: the times below include both.
  const kinds: [string, (p: (typeof sample)[number]) => string, number][] = [
    ['NHS number', (p) => p.nhs_number, 1],
    ['surname + date of birth', (p) => `${p.family_name} ${p.dob}`, 1],
    ['first 3 letters of surname + dob', (p) => `${p.family_name.slice(0, 3)} ${p.dob}`, 1],
    ['partial name + postcode sector', (p) => `${p.given_name.slice(0, 3)} ${p.sector}`, 1],
    ['partial name + full postcode', (p) => `${p.family_name.slice(0, 2)} ${p.postcode}`, 1],
    ['full postcode alone', (p) => p.postcode, 1],
    ['postcode sector alone (first 50)', (p) => p.sector, 1],
    ['surname alone (first 50)', (p) => p.family_name, 1],
    ['surname alone, page 5', (p) => p.family_name, 5],
  ];
  for (const [name, text, page] of kinds) {
    const times: number[] = [];
    for (const p of sample) {
      const t = performance.now();
      await service.search({ text: text(p), limit: 50, page });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    line(
      `  ${name.padEnd(34)} median ${percentile(times, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms   max ${(times[times.length - 1] ?? 0).toFixed(1).padStart(6)} ms   (${times.length} searches)`,
    );
  }
  await ds.destroy();
  line('');
}

async function benchSchedule(): Promise<void> {
  line('Schedule engine, in memory (500,000 children target: under 30 s end to end)');
  const rules = loadDefaultRules();
  for (const explain of [false, true]) {
    const rate = benchForecast(100_000, { explain, rules });
    line(`  forecast ${explain ? 'with' : 'without'} explanations: ${fmt(rate)} persons/s (500,000 in ${(500_000 / rate).toFixed(1)} s)`);
  }
  line('');
}

/** Letters drawn as production draws them (no database), with the worker pool beside one thread. */
async function benchLetterProduction(): Promise<void> {
  line('Letter production, a one-page invitation with merge fields (target: 1,000 letters/s with the workers)');
  line(`  ${machineLoad()}`);
  const batch = await benchLetters(4000, 1000);
  line(
    `  print files of 1,000 letters: ${fmt(batch.poolPerSecond)} letters/s with ${batch.workers} workers, ` +
      `${fmt(batch.singlePerSecond)} letters/s on one thread (${fmt(batch.letters)} letters, ${fmt(batch.pages)} pages); ` +
      `${fmt(batch.letters / batch.poolCpuSeconds)} letters per processor second with the workers, ` +
      `${fmt(batch.letters / batch.singleCpuSeconds)} on one thread`,
  );
  const single = await benchLetters(1000, 250, undefined, 'PER_LETTER');
  line(
    `  one PDF per letter (Notify's precompiled route): ${fmt(single.poolPerSecond)} letters/s with ${single.workers} workers, ` +
      `${fmt(single.singlePerSecond)} letters/s on one thread`,
  );
  line('');
}

/** The forecast against the loaded region: one person through the API, and every child refreshed. */
async function benchForecastInDatabase(owner: DataSource, url: string): Promise<void> {
  line('Schedule forecast in the database (targets: one person under 50 ms; 500,000 children under 30 s)');
  const user = await addUser(owner, { name: `bench_fc_${Date.now()}`, role: 'administrator', orgs: [] });
  type Busiest = { person_id: number; n: number };
  const someone =
    (await queryOne<Busiest>(
      owner,
      `SELECT person_id, count(*)::int AS n FROM ims.vaccination_event GROUP BY person_id ORDER BY n DESC, person_id LIMIT 1`,
    )) ?? (await queryOne<Busiest>(owner, `SELECT id AS person_id, 0 AS n FROM ims.person ORDER BY date_of_birth DESC LIMIT 1`))!;
  const ms = await benchForecastOne(withCredentials(url, user.name, user.password), someone.person_id, 20, DEMO_AS_OF);
  line(`  one person (${someone.n} events), forecast.get as a signed-in user: median ${ms.toFixed(1)} ms`);
  // After the bulk load everyone is waiting in the status queue, so the first refresh takes
  // the whole register; the children's refresh after it is the nightly job's usual work.
  const afterLoad = await benchForecastRefresh(url, { asOf: DEMO_AS_OF, maxAgeYears: 19 });
  line(
    `  refresh after the bulk load (children, and everyone the load queued): ${fmt(afterLoad.persons)} persons in ` +
      `${afterLoad.totalSeconds.toFixed(1)} s (${fmt(afterLoad.personsPerSecond)} persons/s; ${afterLoad.processCpuSeconds.toFixed(1)} s CPU in this process)`,
  );
  const report = await benchForecastRefresh(url, { asOf: DEMO_AS_OF, maxAgeYears: 19 });
  line(
    `  refresh of every child under 19: ${fmt(report.persons)} children in ${report.totalSeconds.toFixed(1)} s ` +
      `(${fmt(report.personsPerSecond)} children/s; 500,000 would take ${(500_000 / report.personsPerSecond).toFixed(1)} s; ` +
      `${report.processCpuSeconds.toFixed(1)} s CPU in this process)`,
  );
  // Where the time goes, for tuning: streaming and evaluating, carrying other rows, indexing, swapping.
  line(
    `    phases: ${Object.entries(report.phases)
      .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
      .join(', ')}`,
  );
  line(machineLoad());
  line('');
}

/** Person matching of a staging table (a batch file, a class list), set-based beside a call per row. */
async function benchMatching(owner: DataSource): Promise<void> {
  line('Person matching of 100,000 staging rows in one set-based call (target: under 60 s; many times a call per row)');
  const r = await benchMatch(owner, 100_000, 500);
  line(
    `  ${fmt(r.rows)} rows in ${r.setSeconds.toFixed(1)} s (${fmt(r.setPerSecond)} rows/s, ${fmt(r.certain)} certain); ` +
      `a call per row: ${fmt(r.rowByRowPerSecond)} rows/s (${(r.setPerSecond / r.rowByRowPerSecond).toFixed(0)} times slower); same answers: ${r.same ? 'yes' : 'NO'}`,
  );
  line(machineLoad());
  line('');
}

/** How busy the machine is: figures from a loaded machine are not comparable with a quiet one's. */
function machineLoad(): string {
  const [one, five] = loadavg();
  return `machine: ${cpus().length} cores, load average ${one!.toFixed(1)} (1 min), ${five!.toFixed(1)} (5 min)`;
}

/**
 * A regional cohort with four breakdowns, counted as a coordinator scoped to the whole ICB,
 * beside the same figures as plain SQL over the register (run as the owner, the scope written
 * out), in the same run; the two must agree.
 */
async function benchCohorts(owner: DataSource, url: string): Promise<void> {
  line(
    'Cohort count with four breakdowns as a coordinator scoped to the whole ICB (targets: 95th percentile at most 150 ms; at least 25 times faster than plain SQL)',
  );
  const icb = await queryOne<{ code: string }>(owner, `SELECT code FROM ims.organisation WHERE org_type = 'ICB' ORDER BY code LIMIT 1`);
  const user = await addUser(owner, { name: `bench_cohort_${Date.now()}`, role: 'coordinator', orgs: [icb!.code] });
  const ds = await openDataSource(withCredentials(url, user.name, user.password));
  const scope = await scopeWritten(owner, icb!.code);
  const r = await benchCohortCount(owner, ds, scope);
  await ds.destroy();
  line(
    `  ${fmt(r.count)} people (read by ${r.method}): median ${r.medianMs.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms; ` +
      `plain SQL ${r.plainMs.toFixed(0)} ms (${(r.plainMs / r.p95Ms).toFixed(0)} times the p95); same numbers: ${r.same ? 'yes' : `NO (${r.differences.slice(0, 5).join('; ')})`}`,
  );
  line('');
}

/**
 * Confirming a cohort's invitations as a coordinator scoped to the whole ICB (rolled back),
 * beside a plain unindexed insert of as many rows in the same run.
 */
async function benchCampaigns(owner: DataSource, url: string): Promise<void> {
  line('Invitation batch confirmed as a coordinator scoped to the whole ICB (target: 200,000 invitations in at most 5 s)');
  const icb = await queryOne<{ code: string }>(owner, `SELECT code FROM ims.organisation WHERE org_type = 'ICB' ORDER BY code LIMIT 1`);
  const user = await addUser(owner, { name: `bench_campaign_${Date.now()}`, role: 'coordinator', orgs: [icb!.code] });
  const ds = await openDataSource(withCredentials(url, user.name, user.password));
  const r = await benchConfirm(owner, ds, icb!.code);
  await ds.destroy();
  const per200k = r.invited > 0 ? (r.confirmMs * 200_000) / r.invited : NaN;
  line(
    `  ${fmt(r.invited)} invitations in ${fmt(r.confirmMs)} ms (${(per200k / 1000).toFixed(1)} s per 200,000); ` +
      `plain insert of as many unindexed rows ${fmt(r.baselineMs)} ms`,
  );
  line(`  first wave released: ${fmt(r.released)} invitation messages in ${fmt(r.releaseMs)} ms`);
  line('');
}

/**
 * The COVER return for 2026-Q3 by local authority, as a child health user scoped to the whole
 * ICB, beside the same figures as plain SQL (one correlated count per child and measure) in the
 * same run; the two must agree.
 */
async function benchCover(owner: DataSource, url: string): Promise<void> {
  line('COVER return for a quarter by local authority, as child health scoped to the whole ICB (target: 95th percentile at most 1 s)');
  const icb = await queryOne<{ code: string }>(owner, `SELECT code FROM ims.organisation WHERE org_type = 'ICB' ORDER BY code LIMIT 1`);
  const user = await addUser(owner, { name: `bench_cover_${Date.now()}`, role: 'child-health', orgs: [icb!.code] });
  const ds = await openDataSource(withCredentials(url, user.name, user.password));
  const scope = await scopeWritten(owner, icb!.code);
  const r = await benchCoverReturn(owner, ds, scope);
  await ds.destroy();
  line(
    `  ${fmt(r.children)} children in ${r.areas} areas: median ${r.medianMs.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms; ` +
      `plain SQL ${r.plainMs.toFixed(0)} ms (${(r.plainMs / r.p95Ms).toFixed(1)} times the p95); same numbers: ${r.same ? 'yes' : `NO (${r.differences.slice(0, 5).join('; ')})`}`,
  );
  line('');
}

async function benchFeeds(owner: DataSource): Promise<void> {
  line(`Demographic full load through the import pipeline (target: load at least 0.7 x a raw COPY of the same file)`);
  const r = await benchFeedLoad(owner, feedRows, todayInLondon(), process.env.IMS_BENCH_FEED_IMPORT !== '0');
  const cpu = (c: { backend: number | null; client: number }): string =>
    `CPU ${c.backend === null ? '' : `server ${c.backend.toFixed(2)} s + `}client ${c.client.toFixed(2)} s`;
  line(
    `  ${fmt(r.rows)} rows, ${r.megabytes.toFixed(0)} MB: pipeline load ${r.pipelineSeconds.toFixed(2)} s (${fmt(r.rows / r.pipelineSeconds)} rows/s; ${cpu(r.pipelineCpu)}); ` +
      `raw COPY ${r.rawCopySeconds.toFixed(2)} s (${fmt(r.rows / r.rawCopySeconds)} rows/s; ${cpu(r.rawCopyCpu)})`,
  );
  line(`  ratio ${r.ratio.toFixed(2)} (target at least 0.70): ${r.ratio >= 0.7 ? 'met' : 'NOT MET'} (${machineLoad()})`);
  if (r.importStatus !== 'not run') {
    line(
      `  whole import (load, validation, apply of new registrations): ${r.importSeconds.toFixed(1)} s (${fmt(r.rows / r.importSeconds)} rows/s), ${r.importStatus}, ${fmt(r.newRegistrations)} new people on the register`,
    );
  }
  line('');
}

/**
 * A worklist of every overdue child in the region, made and opened as a child health user scoped
 * to the region, and the register's first page and counts; beside plain SQL over the register.
 */
async function benchChildHealth(owner: DataSource, url: string): Promise<void> {
  line(
    'Child health worklist opened as a child health user scoped to the whole region: first page with explanations, and its counts (target: under 1 s)',
  );
  const region = await queryOne<{ code: string }>(
    owner,
    `SELECT code FROM ims.organisation WHERE org_type = 'REGION' ORDER BY code LIMIT 1`,
  );
  const user = await addUser(owner, { name: `bench_child_${Date.now()}`, role: 'child-health', orgs: [region!.code] });
  const ds = await openDataSource(withCredentials(url, user.name, user.password));
  const scope = await scopeWritten(owner, region!.code);
  const r = await benchWorklists(owner, ds, scope, DEMO_AS_OF);
  await ds.destroy();
  line(
    `  ${fmt(r.children)} children in scope; worklist of ${fmt(r.members)} overdue made in ${fmt(r.createMs)} ms; ` +
      `opened: median ${r.openMedianMs.toFixed(1)} ms, p95 ${r.openP95Ms.toFixed(1)} ms`,
  );
  line(
    `  register first page and counts: median ${r.registerMedianMs.toFixed(1)} ms, p95 ${r.registerP95Ms.toFixed(1)} ms; ` +
      `plain SQL over person and series status ${fmt(r.plainMs)} ms (${(r.plainMs / r.openP95Ms).toFixed(1)} times the worklist's p95); ` +
      `same numbers: ${r.same ? 'yes' : `NO (${r.detail})`}`,
  );
  line('');
}

/** A user's scope written out (the practices and local authorities under an organisation), for the plain-SQL baselines. */
async function scopeWritten(owner: DataSource, code: string): Promise<{ practices: string[]; las: string[] }> {
  const scope = await queryOne<{ practices: string[]; las: string[] }>(
    owner,
    `WITH RECURSIVE below AS (SELECT $1::text AS code UNION SELECT o.code FROM ims.organisation o JOIN below b ON o.parent_code = b.code)
     SELECT ARRAY(SELECT p.code FROM ims.gp_practice p WHERE p.code IN (SELECT code FROM below) ORDER BY 1) AS practices,
            ARRAY(SELECT l.code FROM ims.local_authority l WHERE l.code = $1 OR l.icb_code = $1 OR l.region_code = $1 ORDER BY 1) AS las`,
    [code],
  );
  return scope!;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

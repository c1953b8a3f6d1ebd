// Letter production: a run's files drawn in worker threads while this thread asks the database
// for the next file and records each one written. The database plans letters into numbered
// files before they are drawn and marks a file produced only after it is on disk, so a run
// resumed after a crash draws an unrecorded file again with the same letters, under the same
// name, and no letter appears in two files. Progress (letters done, rate, time left) is kept
// for the screen to poll; cancel stops the workers and returns undrawn letters to the pool.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProductionProgress, ProductionStartInput } from '../contract/letters';
import { AppError } from '../contract/result';
import type { Queryable } from '../platform/db/database';
import { csvField, releaseWaves } from '../campaigns';
import { produceFile, type FileJob, type FileResult } from './letter-file';
import { CancelledError, defaultPoolSize, LetterPool } from './letter-pool';
import { LettersRepository, type PlannedFile } from './letters.repository';

export interface ProductionOptions {
  /** Where the run's folder is made. */
  outDir: string;
  /** Today in England (the letters' date). */
  today: string;
  /** Workers to draw with; 0 draws on this thread (the bench's comparison). */
  workers?: number;
  onProgress?: (p: ProductionProgress) => void;
  /** Called after a file is on disk and before the database records it (tests stop a run here). */
  afterWrite?: (fileNo: number) => Promise<void> | void;
}

export interface ProductionRun {
  runId: number;
  folder: string;
  progress(): ProductionProgress;
  /** Settles when the run ends, however it ends. */
  done: Promise<ProductionProgress>;
  cancel(): void;
}

const pad = (n: number) => String(n).padStart(4, '0');
export const batchFileName = (fileNo: number) => `letters-${pad(fileNo)}.pdf`;
const manifestPart = (fileNo: number) => `letters-${pad(fileNo)}.csv`;
export const MANIFEST = 'manifest.csv';
const MANIFEST_HEADER = ['file', 'page', 'pages', 'reference', 'person id', 'nhs number', 'name', 'address', 'postcode'];

/** Writes a file whole or not at all: to a temporary name first, then renamed over the final one. */
async function writeWhole(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.partial`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}

/** The manifest's rows for a file: each letter made, where it starts, whose it is and where it goes. */
function manifestRows(file: PlannedFile, result: FileResult, layout: string): string {
  const byId = new Map(file.letters.map((l) => [l.communicationId, l]));
  const lines: string[] = [];
  for (const o of result.outcomes) {
    if (!('firstPage' in o)) continue;
    const l = byId.get(o.communicationId);
    if (!l) continue;
    const name = layout === 'PER_LETTER' ? `${l.reference}.pdf` : batchFileName(file.fileNo ?? 0);
    const p = l.person;
    lines.push(
      [
        name,
        String(o.firstPage),
        String(o.pages),
        l.reference,
        String(p.personId),
        p.nhsNumber,
        `${p.givenName} ${p.familyName}`,
        p.addressLines.join(', '),
        p.postcode ?? '',
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export async function startProduction(db: Queryable, input: ProductionStartInput, options: ProductionOptions): Promise<ProductionRun> {
  const repo = new LettersRepository(db);
  // Letters are made for released waves: release those planned by the day first (as an export does).
  // The letters of no campaign (children's overdue letters, school consent letters) have none.
  if (input.campaignCode !== null) await releaseWaves(db, input.campaignCode, input.dueBy);
  const opened = await repo.openRun(input);
  const folder = join(options.outDir, `${opened.campaign.code}-run${opened.runId}`);
  await mkdir(folder, { recursive: true });
  const workers = options.workers ?? defaultPoolSize();
  const pool = workers === 0 ? null : new LetterPool(workers);
  // One file more than there are workers: the next is ready while this thread writes and records.
  const concurrency = workers === 0 ? 1 : workers + 1;

  const startedAt = performance.now();
  let doneHere = 0;
  let cancelled = false;
  const state: ProductionProgress = {
    runId: opened.runId,
    state: 'running',
    resumed: opened.resumed,
    produced: opened.produced,
    failed: opened.failed,
    total: opened.produced + opened.failed + opened.remaining,
    lettersPerSecond: 0,
    secondsLeft: null,
    error: null,
    files: [],
    failures: [],
    manifest: null,
  };
  const report = () => {
    const seconds = (performance.now() - startedAt) / 1000;
    state.lettersPerSecond = seconds > 0 ? Math.round((doneHere / seconds) * 10) / 10 : 0;
    const left = Math.max(0, state.total - state.produced - state.failed);
    state.secondsLeft = state.lettersPerSecond > 0 ? Math.round(left / state.lettersPerSecond) : null;
    options.onProgress?.({ ...state, files: [...state.files], failures: [...state.failures] });
  };

  async function processFile(file: PlannedFile & { fileNo: number }): Promise<void> {
    const job: FileJob = {
      layout: opened.layout,
      letters: file.letters,
      templates: file.templates,
      campaign: opened.campaign,
      today: options.today,
      largePrint: opened.largePrint,
    };
    let result: FileResult;
    try {
      result = pool ? await pool.run(job) : await produceFile(job);
    } catch (error) {
      if (error instanceof CancelledError || cancelled) return; // abandoned: nothing written
      throw error;
    }
    if (cancelled) return; // drawn but not written: the letters go back to the pool
    // Written whole, then recorded: a crash between the two draws this file again, same name.
    if (opened.layout === 'PER_LETTER') {
      for (const l of result.letters) await writeWhole(join(folder, `${l.reference}.pdf`), l.pdf);
    } else if (result.pdf) {
      await writeWhole(join(folder, batchFileName(file.fileNo)), result.pdf);
    }
    await writeWhole(join(folder, manifestPart(file.fileNo)), manifestRows(file, result, opened.layout));
    await options.afterWrite?.(file.fileNo);
    await repo.fileDone(opened.runId, file.fileNo, result.outcomes);
    let made = 0;
    for (const o of result.outcomes) {
      if ('firstPage' in o) made++;
      else state.failures.push({ communicationId: o.communicationId, personId: o.personId, reason: o.reason });
    }
    state.produced += made;
    state.failed += result.outcomes.length - made;
    doneHere += result.outcomes.length;
    if (opened.layout === 'BATCH' && result.pdf) {
      state.files.push({ fileNo: file.fileNo, fileName: batchFileName(file.fileNo), letters: made, pages: result.pageCount });
      state.files.sort((a, b) => a.fileNo - b.fileNo);
    }
    report();
  }

  /** Joins the parts of every file of the run in this folder into one manifest. */
  async function writeManifest(): Promise<string> {
    const parts = (await readdir(folder)).filter((f) => /^letters-\d{4,}\.csv$/.test(f)).sort();
    let text = `${MANIFEST_HEADER.map(csvField).join(',')}\n`;
    for (const p of parts) text += await readFile(join(folder, p), 'utf8');
    await writeWhole(join(folder, MANIFEST), text);
    for (const p of parts) await rm(join(folder, p));
    return join(folder, MANIFEST);
  }

  async function loop(): Promise<ProductionProgress> {
    const inflight = new Map<number, Promise<void>>();
    let exhausted = false;
    let failure: unknown = null;
    try {
      while (!cancelled && failure === null && (!exhausted || inflight.size > 0)) {
        while (!cancelled && !exhausted && inflight.size < concurrency) {
          const file = await repo.nextFile(opened.runId, [...inflight.keys()]);
          if (file.fileNo === null) {
            exhausted = true;
            break;
          }
          const fileNo = file.fileNo;
          const work = processFile({ ...file, fileNo }).catch((error: unknown) => {
            failure ??= error;
          });
          inflight.set(
            fileNo,
            work.finally(() => inflight.delete(fileNo)),
          );
        }
        if (inflight.size > 0) await Promise.race(inflight.values());
      }
      if (cancelled) await pool?.terminate();
      await Promise.allSettled(inflight.values());
      if (failure !== null) throw failure;
      const summary = await repo.finish(opened.runId, cancelled);
      state.state = cancelled ? 'cancelled' : 'done';
      state.produced = summary.produced;
      state.failed = summary.failed;
      // Every failure of the run, this session's and any before a resume.
      state.failures = summary.failures.map(({ communicationId, personId, reason }) => ({ communicationId, personId, reason }));
      if (!cancelled) {
        state.total = summary.produced + summary.failed;
        state.manifest = await writeManifest();
      }
    } catch (error) {
      // The run stays open in the database: starting production again resumes it.
      state.state = 'failed';
      state.error = error instanceof AppError ? error.message : `Letter production stopped: ${(error as Error).message}`;
    } finally {
      await pool?.terminate();
      report();
    }
    return { ...state };
  }

  report();
  const done = loop();
  return {
    runId: opened.runId,
    folder,
    progress: () => ({ ...state, files: [...state.files], failures: [...state.failures] }),
    done,
    cancel: () => {
      cancelled = true;
      void pool?.terminate();
    },
  };
}

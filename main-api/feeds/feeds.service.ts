// The Imports screen's channels. The chosen file arrives in pieces into a private temporary
// file (never held whole in memory), then runs through the same pipeline as the command line
// in the background; progress and cancelling are answered from the run kept here.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../contract/result';
import { UPLOAD_MAX_BYTES, type FeedHandlers, type ImportJob } from '../contract/feeds';
import type { UserContext } from '../platform/registration';
import { rejectsCsv } from './feeds.rules';
import { importHistory, importRejects, importSummary } from './feeds.repository';
import { vaccinationAckFiles } from './vaccination-ack.service';
import { runImport } from './import.service';
import { FEED_KIND_DEFINITIONS } from './kinds';

interface Upload {
  path: string;
  fileName: string;
  bytes: number;
}

interface Job {
  view: ImportJob;
  controller: AbortController;
}

export function createFeedHandlers(ctx: UserContext): FeedHandlers {
  const { ds, today, log } = ctx;
  // Only this user's session writes here; the folder is removed with its files when done.
  let folder: string | null = null;
  const uploads = new Map<string, Upload>();
  const jobs = new Map<string, Job>();
  const uploadFor = (id: string): Upload => {
    const u = uploads.get(id);
    if (!u) throw new AppError('NOT_FOUND', 'That file is no longer here: choose it again.');
    return u;
  };
  const jobFor = (id: string): Job => {
    const j = jobs.get(id);
    if (!j) throw new AppError('NOT_FOUND', 'No import with that id is running for you.');
    return j;
  };

  return {
    'feeds.kinds': async () =>
      Object.values(FEED_KIND_DEFINITIONS).map((k) => ({
        code: k.code,
        label: k.label,
        // What the file's header must be: a national layout's own names.
        columns: [...(k.header ?? k.columns)],
        header: k.headerless ? ('none' as const) : k.pick ? ('includes' as const) : ('exact' as const),
        administratorsOnly: k.administratorsOnly === true,
        allowEmpty: k.allowEmpty,
        defaultMaxRejectPercent: k.defaultMaxRejectPercent,
      })),

    'feeds.upload': async (i) => {
      const piece = Buffer.from(i.base64, 'base64');
      let upload: Upload;
      let id: string;
      if (i.uploadId === null) {
        folder ??= mkdtempSync(join(tmpdir(), 'ims-imports-'));
        id = randomUUID();
        upload = { path: join(folder, id), fileName: i.fileName, bytes: 0 };
        uploads.set(id, upload);
      } else {
        id = i.uploadId;
        upload = uploadFor(id);
      }
      if (upload.bytes + piece.length > UPLOAD_MAX_BYTES) {
        uploads.delete(id);
        rmSync(upload.path, { force: true });
        throw new AppError(
          'VALIDATION',
          `A file imported here can be at most ${UPLOAD_MAX_BYTES / 1024 / 1024} MB; use the command line (ims import) for bigger files.`,
        );
      }
      await appendFile(upload.path, piece, { mode: 0o600 });
      upload.bytes += piece.length;
      return { uploadId: id, bytes: upload.bytes };
    },

    'feeds.start': async (i) => {
      const upload = uploadFor(i.uploadId);
      uploads.delete(i.uploadId);
      await stat(upload.path).catch(() => {
        throw new AppError('NOT_FOUND', 'That file is no longer here: choose it again.');
      });
      const jobId = randomUUID();
      const controller = new AbortController();
      const job: Job = {
        controller,
        view: {
          jobId,
          state: 'running',
          phase: 'loading',
          rows: 0,
          bytesRead: 0,
          bytesTotal: upload.bytes,
          rowsPerSecond: 0,
          secondsLeft: null,
          summary: null,
          message: null,
        },
      };
      let opened: (id: number) => void = () => {};
      const registered = new Promise<number>((resolve) => (opened = resolve));
      const run = runImport(ds, {
        kind: i.kind,
        path: upload.path,
        fileName: upload.fileName,
        maxRejectPercent: i.maxRejectPercent,
        today: today(),
        signal: controller.signal,
        onOpened: (id) => opened(id),
        onProgress: (p) => {
          job.view = {
            ...job.view,
            phase: p.phase,
            rows: p.rows,
            bytesRead: p.bytesRead,
            bytesTotal: p.bytesTotal,
            rowsPerSecond: p.rowsPerSecond,
            secondsLeft: p.phase === 'loading' ? p.secondsLeft : null,
          };
        },
      });
      // Answered once the import is registered, so a refusal (a role that may not import, an
      // unknown kind) is this call's error rather than a failed run.
      try {
        await Promise.race([registered, run]);
      } catch (error) {
        rmSync(upload.path, { force: true });
        throw error;
      }
      jobs.set(jobId, job);
      run
        .then((summary) => {
          job.view = { ...job.view, state: 'finished', phase: 'done', secondsLeft: null, summary };
        })
        .catch((error: unknown) => {
          log('An import stopped', error);
          const refused = (error as { code?: string }).code === '42501';
          job.view = {
            ...job.view,
            state: 'failed',
            phase: 'done',
            secondsLeft: null,
            message: refused ? 'Your role may not import files.' : 'The import stopped on an unexpected error; nothing was applied.',
          };
        })
        .finally(() => rmSync(upload.path, { force: true }));
      return { ...job.view };
    },

    'feeds.progress': async (i) => ({ ...jobFor(i.jobId).view }),

    'feeds.cancel': async (i) => {
      const job = jobFor(i.jobId);
      if (job.view.state === 'running') job.controller.abort();
      return { ...job.view };
    },

    'feeds.history': async (i) => importHistory(ds, i.limit ?? 50),

    'feeds.rejects': async (i) => {
      const summary = await importSummary(ds, i.importId);
      if (!summary) throw new AppError('NOT_FOUND', `There is no import ${i.importId}.`);
      const rows = await importRejects(ds, i.importId);
      const base = summary.fileName.replace(/\.[^.]*$/, '');
      return { fileName: `${base}-rejected-rows.csv`, rows: rows.length, csv: rejectsCsv(rows) };
    },

    'feeds.acknowledgements': async (i) => {
      const summary = await importSummary(ds, i.importId);
      if (!summary) throw new AppError('NOT_FOUND', `There is no import ${i.importId}.`);
      // Only vaccination batch files are acknowledged to their sender.
      if (summary.kind !== 'vaccination-batch-v5' || summary.status === 'LOADING') return { files: [] };
      return { files: await vaccinationAckFiles(ds, summary) };
    },
  };
}

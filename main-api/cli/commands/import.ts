// `ims import <kind> FILE [--max-rejects PERCENT] [--rejects FILE]` and `ims import history`:
// files from other systems through the feeds' import pipeline, for Task Scheduler or cron.
// Exit codes: 0 applied (or already applied: nothing changed), 3 file refused, 4 too many rows
// rejected (nothing applied), 5 cancelled, 1 any other error, 2 a wrong command line.
// It connects as IMS_DATABASE_URL names: the schema owner, or an importer's own login role so
// that the change log and the import history name them and their scope applies.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../contract/result';
import {
  exitCodeOf,
  FEED_KIND_DEFINITIONS,
  importHistory,
  importRejects,
  rejectsCsv,
  runImport,
  writeVaccinationAcks,
  type ImportSummaryRow,
} from '../../feeds';
import { withOwnerDatabase } from '../../platform/db/datasource';
import { refreshIfFarBehind } from '../../schedule-status';
import { todayInLondon } from '../../shared/calendar/england';
import { FEED_KINDS, FeedKindCode, IMPORT_STATUS_LABELS } from '../../shared/vocabulary/feeds';
import type { CliContext } from '../context';
import { runFhirImport } from './exchange';

const APPLICATION_NAME = 'IMS import';

interface ImportOptions {
  maxRejects?: string;
  rejects?: string;
  ackDir?: string;
  limit?: string;
}

function formatSummary(s: ImportSummaryRow): string {
  const lines = [`Import ${s.id} of ${s.fileName} (${s.kind}): ${IMPORT_STATUS_LABELS[s.status]}.`];
  if (s.rowsTotal !== null) {
    // Batch file rows sent without an NHS number may wait for a reviewer in the app.
    const review = s.counts.review ? `, ${s.counts.review} waiting for review in the app (Imports > Incoming vaccinations to review)` : '';
    lines.push(`${s.rowsTotal} rows: ${s.rowsApplied ?? 0} applied, ${s.rowsRejected ?? 0} rejected${review}.`);
  }
  const counts = Object.entries(s.counts).filter(([k]) => k !== 'applied');
  if (counts.length) lines.push(`Changes: ${counts.map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  if (s.message) lines.push(s.message);
  return lines.join('\n');
}

function formatHistory(rows: ImportSummaryRow[]): string {
  if (rows.length === 0) return 'No files have been imported.';
  return rows
    .map(
      (s) =>
        `${s.id}\t${s.startedAt}\t${s.kind}\t${s.fileName}\t${IMPORT_STATUS_LABELS[s.status]}\t` +
        `rows ${s.rowsTotal ?? '-'}, applied ${s.rowsApplied ?? '-'}, rejected ${s.rowsRejected ?? '-'}\tby ${s.importedBy}`,
    )
    .join('\n');
}

/** Runs one import and answers its summary; the caller sets the exit code from its status. */
async function runFeedImport(
  ctx: Pick<CliContext, 'ownerUrl' | 'print'>,
  kindText: string,
  file: string,
  opts: ImportOptions,
): Promise<ImportSummaryRow> {
  const kind = FeedKindCode.safeParse(kindText);
  if (!kind.success) throw new AppError('VALIDATION', `There is no file kind ${kindText}. Use one of: ${FEED_KINDS.join(', ')}.`);
  let maxRejectPercent: number | undefined;
  if (opts.maxRejects !== undefined) {
    maxRejectPercent = Number(opts.maxRejects);
    if (!/^\d+(\.\d+)?$/.test(opts.maxRejects) || maxRejectPercent > 100) {
      throw new AppError('VALIDATION', `--max-rejects ${opts.maxRejects}: give a percentage from 0 to 100.`);
    }
  }
  if (opts.ackDir && kind.data !== 'vaccination-batch-v5') {
    throw new AppError('VALIDATION', '--ack-dir is for vaccination-batch-v5 files only.');
  }
  let acks: string[] = [];
  const url = await ctx.ownerUrl();
  const today = todayInLondon();
  const summary = await withOwnerDatabase(url, APPLICATION_NAME, async (ds) => {
    let lastPrint = Date.now();
    const s = await runImport(ds, {
      kind: kind.data,
      path: file,
      fileName: basename(file),
      today,
      maxRejectPercent,
      onProgress: (p) => {
        if (p.phase !== 'loading' || Date.now() - lastPrint < 5000) return;
        lastPrint = Date.now();
        const left = p.secondsLeft === null ? '' : `, about ${Math.ceil(p.secondsLeft)} s left to read`;
        ctx.print(`Read ${p.rows} rows (${p.rowsPerSecond} rows a second${left}).`);
      },
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new AppError('VALIDATION', `Cannot read ${file}: ${code}`);
      throw error;
    });
    if (opts.rejects && (s.rowsRejected ?? 0) > 0) {
      writeFileSync(opts.rejects, rejectsCsv(await importRejects(ds, s.id)), 'utf8');
    }
    if (opts.ackDir) acks = await writeVaccinationAcks(ds, s, opts.ackDir);
    return s;
  });
  ctx.print(formatSummary(summary));
  for (const path of acks) ctx.print(`Acknowledgement written to ${path}.`);
  if (opts.rejects && (summary.rowsRejected ?? 0) > 0) ctx.print(`Rejected rows written to ${opts.rejects}.`);
  if (summary.status === 'APPLIED') {
    // A big load queues many people: their schedule status is recomputed now, not at next start.
    await refreshIfFarBehind(url, { asOf: today });
  }
  return summary;
}

export function registerImportCommands(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .argument('<kind>', `${FEED_KINDS.join(', ')}, fhir (a FHIR R4 Immunization or Bundle), or history`)
    .argument('[file]', 'the file to import (layouts: docs/feeds.md)')
    .description(
      'Import a file through the feeds pipeline, or list recent imports (ims import history). Exit codes: 0 applied, ' +
        '3 file refused, 4 too many rows rejected, 5 cancelled, 1 error',
    )
    .option(
      '--max-rejects <percent>',
      `refuse the whole file when more rows than this are rejected (default ${FEED_KIND_DEFINITIONS['demographics-full'].defaultMaxRejectPercent})`,
    )
    .option('--rejects <file>', 'write the rejected rows (row, field, reason) to this CSV file')
    .option('--ack-dir <dir>', 'vaccination-batch-v5: write the InfAck, BusAck and totals into this folder')
    .option('--limit <n>', 'with history: how many imports to list', '30')
    .action(async (kind: string, file: string | undefined, opts: ImportOptions) => {
      if (kind === 'history') {
        const limit = Number(opts.limit ?? '30');
        const rows = await withOwnerDatabase(await ctx.ownerUrl(), APPLICATION_NAME, (ds) =>
          importHistory(ds, Number.isInteger(limit) ? limit : 30),
        );
        ctx.print(formatHistory(rows));
        return;
      }
      if (!file) throw new AppError('VALIDATION', 'Name the file to import: ims import <kind> <file>.');
      if (kind === 'fhir') {
        await runFhirImport(ctx, file);
        return;
      }
      const summary = await runFeedImport(ctx, kind, file, opts);
      process.exitCode = exitCodeOf(summary.status);
    });
}

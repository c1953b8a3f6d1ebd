// Vaccination exchange use cases: import a FHIR file (checked whole first, then written in one
// transaction, so a refused entry leaves nothing behind), the review queue, a person's record as
// FHIR, and the tracked batch-file exports (onward submission and the GP daily update).
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { ExchangeHandlers, FhirExportOutput, FhirImportOutput, ImportResult } from '../contract/exchange';
import { AppError, personNotFound } from '../contract/result';
import type { Queryable } from '../platform/db/database';
import { buildBundle } from './fhir-export.rules';
import { canonicalPayload, parseFhirText } from './fhir-import.rules';
import { checkBundle } from './fhir-structure.rules';
import { ExchangeRepository, type ClaimedRow } from './exchange.repository';
import { v5File, v5FileName, v5Row, v5VaccineType, londonStamp, type V5Row } from './v5-file.rules';

const payloadHash = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function importFhir(ds: DataSource, text: string, today: string): Promise<FhirImportOutput> {
  const parsed = parseFhirText(text, today);
  if (!parsed.ok) {
    const first = parsed.issues[0]!;
    throw new AppError(
      'VALIDATION',
      `${parsed.issues.length === 1 ? 'The file has a fault' : `The file has ${parsed.issues.length} faults`}, so nothing was imported. First: ${first.path}: ${first.message}`,
      { kind: 'fields', fields: parsed.issues.map((i) => ({ field: i.path, message: i.message })) },
    );
  }
  const results = await ds.transaction(async (manager) => {
    const repo = new ExchangeRepository(manager);
    const out: ImportResult[] = [];
    for (const item of parsed.items) {
      try {
        const a = await repo.importEvent(item, payloadHash(canonicalPayload(item)));
        out.push({
          path: item.path,
          sourceId: item.event.source_id,
          outcome: a.outcome,
          personId: a.personId ?? null,
          eventId: a.eventId ?? null,
          reviewId: a.reviewId ?? null,
          reason: a.reason ?? null,
        });
      } catch (error) {
        // The whole file is undone; say which entry was refused, in the database's words.
        if (error instanceof AppError)
          throw new AppError(error.code, `${item.path}: ${error.message} Nothing in the file was imported.`, {
            kind: 'fields',
            fields: [{ field: item.path, message: error.message }],
          });
        throw error;
      }
    }
    return out;
  });
  return { results };
}

async function exportPersonFhir(
  db: Queryable,
  input: { personId: number; includeNotGiven: boolean; includeReactions: boolean },
  now: Date,
): Promise<FhirExportOutput> {
  const data = await new ExchangeRepository(db).fhirEvents({ personId: input.personId });
  if (!data || data.persons.length === 0) throw personNotFound();
  const bundle = buildBundle(data, { ...input, newId: randomUUID, timestamp: now.toISOString() });
  const issues = checkBundle(bundle);
  if (issues.length) throw new AppError('INTERNAL', `The export does not conform to FHIR R4 (${issues[0]!.path}: ${issues[0]!.message}).`);
  const s = londonStamp(now);
  return {
    fileName: `vaccinations-${data.persons[0]!.nhsNumber}-${s.day}T${s.time}.json`,
    contentType: 'application/fhir+json',
    text: JSON.stringify(bundle, null, 2),
  };
}

/** A period's events given by an organisation, as a FHIR Bundle (the command line). */
export async function exportPeriodFhir(
  db: Queryable,
  input: { org: string; from: string; to: string; includeNotGiven: boolean; includeReactions: boolean },
  now: Date,
): Promise<string> {
  const data = await new ExchangeRepository(db).fhirEvents({ org: input.org, from: input.from, to: input.to });
  const bundle = buildBundle(data ?? { persons: [], events: [], reactions: [] }, {
    ...input,
    newId: randomUUID,
    timestamp: now.toISOString(),
  });
  const issues = checkBundle(bundle);
  if (issues.length) throw new AppError('INTERNAL', `The export does not conform to FHIR R4 (${issues[0]!.path}: ${issues[0]!.message}).`);
  return JSON.stringify(bundle, null, 2);
}

interface WrittenFile {
  file: string;
  rows: number;
  actions: Record<'NEW' | 'UPDATE' | 'DELETE', number>;
}

export interface ExportSummary {
  files: WrittenFile[];
  /** Events not sent (offered again next time), with why. */
  held: { eventId: number; reason: string }[];
}

function count(rows: ClaimedRow[]): WrittenFile['actions'] {
  const a = { NEW: 0, UPDATE: 0, DELETE: 0 };
  for (const r of rows) a[r.action]++;
  return a;
}

/**
 * Writes files inside the claim's transaction as .partial, and gives them their names only once
 * the claim has committed: a failed write or commit marks nothing sent, and a file that has its
 * name was recorded as sent.
 */
async function claimAndWrite(
  ds: DataSource,
  kind: 'V5' | 'GP',
  code: string,
  label: string,
  outDir: string,
  split: (rows: ClaimedRow[]) => Map<string, ClaimedRow[]>,
): Promise<ExportSummary> {
  await mkdir(outDir, { recursive: true });
  const partials: { partial: string; final: string; rows: ClaimedRow[] }[] = [];
  let held: ExportSummary['held'] = [];
  try {
    await ds.transaction(async (manager) => {
      const claimed = await new ExchangeRepository(manager).claim(kind, code, label);
      held = claimed.filter((r) => r.held).map((r) => ({ eventId: r.row.eventId, reason: r.held! }));
      const sendable = claimed.filter((r) => !r.held);
      for (const [name, rows] of split(sendable)) {
        const final = join(outDir, name);
        const partial = `${final}.partial`;
        const lines: V5Row[] = rows.map((r) => v5Row(r.row, r.action));
        await writeFile(partial, v5File(lines), { encoding: 'utf8', flag: 'wx' });
        partials.push({ partial, final, rows });
      }
    });
  } catch (error) {
    await Promise.all(partials.map((p) => unlink(p.partial).catch(() => {})));
    throw error;
  }
  for (const p of partials) await rename(p.partial, p.final);
  return { files: partials.map((p) => ({ file: p.final, rows: p.rows.length, actions: count(p.rows) })), held };
}

/** This organisation's given doses not yet submitted, one v5 file per vaccine type. */
export function exportVaccinationBatch(ds: DataSource, ods: string, outDir: string, now: Date): Promise<ExportSummary> {
  const label = v5FileName('*', ods, now);
  return claimAndWrite(ds, 'V5', ods, label, outDir, (rows) => {
    const byType = new Map<string, ClaimedRow[]>();
    for (const r of rows) {
      const type = v5VaccineType(r.row.vaccineType);
      // Refusing the whole export (nothing marked sent) beats marking a row sent and not writing it.
      if (!type)
        throw new AppError(
          'VALIDATION',
          `No batch-file vaccine type for product type "${r.row.vaccineType ?? '?'}" (event ${r.row.eventId}).`,
        );
      const name = v5FileName(type, ods, now);
      byType.set(name, [...(byType.get(name) ?? []), r]);
    }
    return byType;
  });
}

/** For each GP practice, one file of the doses its patients were given elsewhere since the last file. */
export async function exportGpUpdates(ds: DataSource, outDir: string, now: Date, practices?: string[]): Promise<ExportSummary> {
  const codes = practices ?? (await new ExchangeRepository(ds).practicesDue());
  const summary: ExportSummary = { files: [], held: [] };
  for (const code of codes) {
    const name = v5FileName('GPUPDATE', code, now);
    const s = await claimAndWrite(ds, 'GP', code, name, outDir, (rows) => new Map(rows.length ? [[name, rows]] : []));
    summary.files.push(...s.files);
    summary.held.push(...s.held);
  }
  return summary;
}

export function createExchangeHandlers(ds: DataSource, today: () => string): ExchangeHandlers {
  return {
    'exchange.fhir.import': (input) => importFhir(ds, input.text, today()),
    'exchange.review.list': (input) => new ExchangeRepository(ds).reviewQueue(input.status, input.limit),
    'exchange.review.get': (input) => new ExchangeRepository(ds).reviewItem(input.id),
    'exchange.review.decide': (input) => new ExchangeRepository(ds).decide(input),
    'exchange.fhir.export': (input) => exportPersonFhir(ds, input, new Date()),
  };
}

// Writes the acknowledgements of a vaccination batch import (InfAck, BusAck and the totals)
// into a folder, for the sender's mailbox or whoever returns them. A re-sent file that was
// applied before is answered with the acknowledgements of the import that applied it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Queryable } from '../platform/db/database';
import { vaccinationAck, type ImportSummaryRow } from './feeds.repository';
import { ackFileNames, ackMessageId, ackSummary, busAck, fileAccepted, infAck, type AckInput } from './vaccination-batch.rules';

/** The acknowledgements' input for an import, read through the importer's own connection. */
async function vaccinationAckInput(db: Queryable, summary: ImportSummaryRow): Promise<AckInput> {
  const id = summary.status === 'ALREADY_APPLIED' && summary.sameAs !== null ? summary.sameAs : summary.id;
  const a = await vaccinationAck(db, id);
  return {
    messageId: ackMessageId(a.id),
    fileName: summary.fileName,
    receivedAt: a.receivedAt,
    status: a.status,
    message: a.message,
    rowsTotal: a.rowsTotal,
    rowsApplied: a.rowsApplied,
    heldForReview: a.counts.review ?? 0,
    failures: a.failures,
  };
}

export interface AckFile {
  fileName: string;
  mediaType: 'text/csv' | 'application/json';
  text: string;
}

/** The acknowledgement files of an import (no BusAck for a file that was not taken). */
export async function vaccinationAckFiles(db: Queryable, summary: ImportSummaryRow): Promise<AckFile[]> {
  const input = await vaccinationAckInput(db, summary);
  const names = ackFileNames(summary.fileName, input.receivedAt);
  return [
    { fileName: names.infAck, mediaType: 'text/csv', text: infAck(input) },
    ...(fileAccepted(input.status) ? [{ fileName: names.busAck, mediaType: 'text/csv' as const, text: busAck(input) }] : []),
    { fileName: names.summary, mediaType: 'application/json', text: ackSummary(input) },
  ];
}

/** Writes the files into a folder and answers their paths. */
export async function writeVaccinationAcks(db: Queryable, summary: ImportSummaryRow, dir: string): Promise<string[]> {
  const files = await vaccinationAckFiles(db, summary);
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const path = join(dir, f.fileName);
    await writeFile(path, f.text, 'utf8');
    paths.push(path);
  }
  return paths;
}

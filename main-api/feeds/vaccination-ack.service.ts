// Writes the acknowledgements of a vaccination batch import (InfAck, BusAck and the totals)
// into a folder, for the sender's mailbox or whoever returns them. A re-sent file that was
// applied before is answered with the acknowledgements of the import that applied it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Queryable } from '../platform/db/database';
import { vaccinationAck, type ImportSummaryRow } from './feeds.repository';
import { ackFileNames, ackMessageId, ackSummary, busAck, fileAccepted, infAck, type AckInput } from './vaccination-batch.rules';

/** The acknowledgements' input for an import, read through the importer's own connection. */
export async function vaccinationAckInput(db: Queryable, summary: ImportSummaryRow): Promise<AckInput> {
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
    failures: a.failures,
  };
}

/** Writes the files and answers their paths (no BusAck for a file that was not taken). */
export async function writeVaccinationAcks(db: Queryable, summary: ImportSummaryRow, dir: string): Promise<string[]> {
  const input = await vaccinationAckInput(db, summary);
  const names = ackFileNames(summary.fileName, input.receivedAt);
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [names.infAck, infAck(input)],
    ...(fileAccepted(input.status) ? ([[names.busAck, busAck(input)]] as [string, string][]) : []),
    [names.summary, ackSummary(input)],
  ];
  const paths: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    paths.push(path);
  }
  return paths;
}

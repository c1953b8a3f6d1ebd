// The Imports screen's pure logic: the file sent in base64 pieces, and the words for progress,
// outcomes and counts.
import { UPLOAD_PIECE_BASE64_CHARS, type ImportJob, type ImportSummary } from '../../../../main-api/contract/feeds';
import { FEED_KINDS, IMPORT_STATUS_LABELS, type FeedKindCode } from '../../../../main-api/shared/vocabulary/feeds';

/** Bytes per piece: base64 makes 4 characters of 3 bytes, within the channel's limit. */
export const PIECE_BYTES = Math.floor(UPLOAD_PIECE_BASE64_CHARS / 4) * 3;

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const n = (x: number): string => x.toLocaleString('en-GB');

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function timeLeft(seconds: number | null): string {
  if (seconds === null) return 'working out the time left';
  if (seconds < 1) return 'less than a second left';
  if (seconds < 90) return `about ${Math.ceil(seconds)} seconds left`;
  return `about ${Math.ceil(seconds / 60)} minutes left`;
}

/** One sentence for the progress line (read out by screen readers as it changes). */
export function progressSentence(job: ImportJob): string {
  if (job.state === 'failed') return job.message ?? 'The import stopped; nothing was applied.';
  if (job.phase === 'applying') return `Read ${n(job.rows)} rows; checking and applying them.`;
  if (job.phase === 'done' && job.summary) return outcomeSentence(job.summary);
  return `Read ${n(job.rows)} rows at ${n(job.rowsPerSecond)} rows a second, ${timeLeft(job.secondsLeft)}.`;
}

/** The share of the file read, 0 to 100. */
export function percentRead(job: ImportJob): number {
  if (job.phase !== 'loading') return 100;
  return job.bytesTotal > 0 ? Math.min(100, Math.round((job.bytesRead * 100) / job.bytesTotal)) : 0;
}

export function outcomeSentence(s: ImportSummary): string {
  // Rows of a batch file sent without an NHS number may wait for a reviewer: neither applied nor rejected.
  const review = s.counts.review ? `, ${n(s.counts.review)} waiting for review` : '';
  const rows =
    s.rowsTotal === null ? '' : ` ${n(s.rowsTotal)} rows: ${n(s.rowsApplied ?? 0)} applied, ${n(s.rowsRejected ?? 0)} rejected${review}.`;
  return `${IMPORT_STATUS_LABELS[s.status]}.${rows}${s.message ? ` ${s.message}` : ''}`;
}

const COUNT_WORDS: Record<string, string> = {
  added: 'added',
  updated: 'updated',
  unchanged: 'unchanged',
  new: 'new registrations',
  name: 'changes of name',
  address: 'changes of address',
  practice: 'changes of practice',
  death: 'deaths',
  removal: 'removals',
  renumbered: 'NHS numbers replaced',
  merged: 'records merged',
  deleted: 'entered in error',
  review: 'waiting for review',
  withdrawn: 'waiting items withdrawn by the sender or matched',
  outside: "outside the register's area (skipped)",
  terminated: 'terminated postcodes (kept)',
  people: 'people placed again',
  other_settings: 'not GP practices (skipped)',
  matchedBefore: 'matched as a reviewer decided before',
  yearOutOfStep: 'a year group one year from their age (taken)',
  schoolSet: 'schools recorded',
  schoolMoves: 'school moves',
  yearChanged: 'year groups changed',
  parentsSaved: 'parents saved',
  contactsAdded: 'contacts added',
  contactsKept: 'contacts kept (the record already had different ones)',
};

export function countsSentence(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([k, v]) => k !== 'applied' && v > 0)
    .map(([k, v]) => `${n(v)} ${COUNT_WORDS[k] ?? k}`)
    .join(', ');
}

/**
 * The kinds the screen offers: every kind to an administrator; to anyone else, not those the
 * database keeps for administrators (reference data, 0076). Until the kinds are read, all.
 */
export function offeredKinds(
  kinds: readonly { code: FeedKindCode; administratorsOnly: boolean }[] | null,
  administrator: boolean,
): FeedKindCode[] {
  return FEED_KINDS.filter((k) => administrator || !(kinds?.find((x) => x.code === k)?.administratorsOnly ?? false));
}

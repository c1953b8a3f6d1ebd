import { describe, expect, it } from 'vitest';
import type { ImportJob, ImportSummary } from '../../../../main-api/contract/feeds';
import { bytesToBase64, countsSentence, offeredKinds, outcomeSentence, percentRead, progressSentence, timeLeft } from './imports';

const job = (over: Partial<ImportJob>): ImportJob => ({
  jobId: '00000000-0000-4000-8000-000000000000',
  state: 'running',
  phase: 'loading',
  rows: 1200,
  bytesRead: 50,
  bytesTotal: 200,
  rowsPerSecond: 40000,
  secondsLeft: 12.2,
  summary: null,
  message: null,
  ...over,
});

describe('imports screen logic', () => {
  it('encodes bytes as base64', () => expect(bytesToBase64(Uint8Array.from([0, 255, 104, 105]))).toBe('AP9oaQ=='));
  it('says how far the read is', () => {
    expect(progressSentence(job({}))).toBe('Read 1,200 rows at 40,000 rows a second, about 13 seconds left.');
    expect(percentRead(job({}))).toBe(25);
    expect(progressSentence(job({ phase: 'applying' }))).toBe('Read 1,200 rows; checking and applying them.');
    expect(timeLeft(null)).toBe('working out the time left');
    expect(timeLeft(600)).toBe('about 10 minutes left');
  });
  it('names the counts in words', () =>
    expect(countsSentence({ applied: 3, new: 1, name: 0, merged: 2 })).toBe('1 new registrations, 2 records merged'));
  it('says how many rows of a batch file wait for review, beside those applied and rejected', () => {
    const summary = { status: 'APPLIED', rowsTotal: 5, rowsApplied: 2, rowsRejected: 1, message: null } as const;
    const outcome = (counts: Record<string, number>) => outcomeSentence({ ...summary, counts } as unknown as ImportSummary);
    expect(outcome({ applied: 2, added: 2, review: 2 })).toMatch(/5 rows: 2 applied, 1 rejected, 2 waiting for review\.$/);
    expect(outcome({ applied: 2, added: 2 })).toMatch(/5 rows: 2 applied, 1 rejected\.$/);
    expect(countsSentence({ applied: 2, added: 2, review: 2 })).toBe('2 added, 2 waiting for review');
  });
  it('names the reference kinds’ counts in words', () =>
    expect(countsSentence({ applied: 9, added: 2, outside: 5, people: 3 })).toBe(
      "2 added, 5 outside the register's area (skipped), 3 people placed again",
    ));
});

describe('kinds offered', () => {
  const kinds = [
    { code: 'demographics-delta' as const, administratorsOnly: false },
    { code: 'onspd-postcodes' as const, administratorsOnly: true },
  ];
  it('leaves the administrators’ kinds out for anyone else, and offers all to an administrator', () => {
    expect(offeredKinds(kinds, false)).toContain('demographics-delta');
    expect(offeredKinds(kinds, false)).not.toContain('onspd-postcodes');
    expect(offeredKinds(kinds, true)).toContain('onspd-postcodes');
  });
});

import { describe, expect, it } from 'vitest';
import type { MessageTemplate, ProductionProgress } from '../../../../main-api/contract/letters';
import { formatDuration, groupTemplates, progressWords, smsSummary, templateProblems } from './letters';

const t = (name: string, version: number, inUse = false): MessageTemplate => ({
  name,
  version,
  purpose: 'INVITATION',
  channel: 'SMS',
  subject: null,
  body: 'Hi',
  variants: {},
  createdBy: 'x',
  createdAt: '2026-10-01T00:00:00Z',
  inUse,
});

describe('letters on screen', () => {
  it('names unknown fields where they are', () => {
    const p = templateProblems([
      { where: 'Message', text: 'Hi ((first name)) ((pet))' },
      { where: 'Welsh', text: null },
    ]);
    expect(p).toEqual([{ where: 'Message', problem: expect.objectContaining({ field: 'pet', message: 'Unknown merge field ((pet)).' }) }]);
  });

  it('counts a text message as it is typed', () => {
    expect(smsSummary('a'.repeat(161)).line).toBe('161 characters, 2 text messages');
    expect(smsSummary('Ŵ').detail).toContain('Unicode because of “Ŵ”');
    expect(smsSummary('a'.repeat(919))).toMatchObject({ tooLong: true });
  });

  it('groups versions under their name, newest first, with the one in use', () => {
    const g = groupTemplates([t('a', 2), t('a', 1, true), t('b', 1)]);
    expect(g.map((x) => [x.name, x.latest.version, x.inUse?.version ?? null])).toEqual([
      ['a', 2, 1],
      ['b', 1, null],
    ]);
  });

  it('words a run’s progress', () => {
    const p: ProductionProgress = {
      runId: 1,
      state: 'running',
      resumed: false,
      produced: 250,
      failed: 1,
      total: 1000,
      lettersPerSecond: 125.5,
      secondsLeft: 125,
      error: null,
      files: [],
      failures: [],
      manifest: null,
    };
    expect(progressWords(p)).toEqual({
      percent: 25,
      line: '251 of 1,000 letters (1 could not be made)',
      rate: '125.5 letters a second, about 2 min 5 s left',
    });
    expect(formatDuration(null)).toBe('');
    expect(progressWords({ ...p, total: 0, produced: 0, failed: 0, lettersPerSecond: 0 }).percent).toBe(100);
  });
});

import { describe, expect, it } from 'vitest';
import type { RulePreview } from '../../../../main-api/contract/rules';
import { effectiveDate, fileMistakes, previewHeadline, statusLabel } from './rule-files';

const preview = (p: Partial<RulePreview>): RulePreview => ({
  onDay: '2026-12-01',
  reached: 0,
  considered: 0,
  sampled: false,
  changed: 0,
  estimatedChanged: 0,
  transitions: [],
  examples: [],
  rulesBefore: '',
  rulesAfter: '',
  ...p,
});

describe('the rule files screen', () => {
  it('says how many would change, and when the counts come from a sample', () => {
    expect(previewHeadline(preview({}))).toBe('Nobody on the register can be affected by this file.');
    expect(previewHeadline(preview({ reached: 340, considered: 340, changed: 1, estimatedChanged: 1 }))).toBe(
      '1 person of 340 people who can be affected would change status on 1 December 2026.',
    );
    expect(previewHeadline(preview({ reached: 240_000, considered: 1000, sampled: true, changed: 5, estimatedChanged: 1200 }))).toBe(
      'About 1,200 people would change status on 1 December 2026: 5 people of a random sample of 1,000, out of 240,000 people who can be affected.',
    );
  });

  it('words statuses as the record does, and no row as not listed', () => {
    expect(statusLabel('SERIES', null)).toBe('Not listed');
    expect(statusLabel('SERIES', 'OVERDUE')).toBe('Overdue');
    expect(statusLabel('CAMPAIGN', 'DUE')).toBe('Eligible now');
  });

  it('reads the effective date as typed, empty for today', () => {
    expect(effectiveDate('', '2026-11-30')).toEqual({ ok: true, value: null });
    expect(effectiveDate('1/12/2026', '2026-11-30')).toEqual({ ok: true, value: '2026-12-01' });
    expect(effectiveDate('31/02/2027', '2026-11-30')).toMatchObject({ ok: false });
  });

  it('lists every mistake of a refused file', () => {
    expect(
      fileMistakes({
        code: 'VALIDATION',
        message: 'The rule file has 2 mistakes',
        details: {
          kind: 'fields',
          fields: [
            { field: 'startDate', message: 'Use a real date' },
            { field: 'criteria[1].age.min', message: 'must be an age' },
          ],
        },
      }),
    ).toEqual(['startDate: Use a real date', 'criteria[1].age.min: must be an age']);
    expect(fileMistakes({ code: 'FORBIDDEN', message: 'No' })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { compileRuleFiles, resolveRuleSet, scheduleRules, shippedRuleFiles, type CampaignData } from '../schedule';
import { comparePeople } from './rule-preview.rules';

const DAY = '2026-11-30';
const before = scheduleRules();
const flu = shippedRuleFiles().find((f) => f.kind === 'campaign' && f.id === 'FLU_2026_27') as CampaignData;
const noSchool = { ...structuredClone(flu), version: 'x', criteria: flu.criteria.filter((k) => k.id !== 'FLU-SCHOOL') };
const after = compileRuleFiles(resolveRuleSet(shippedRuleFiles(), [{ version: 9, effectiveFrom: DAY, data: noSchool }], DAY).files);

const someone = (personId: number, dateOfBirth: string) => ({ personId, person: { dateOfBirth, flags: [] }, events: [] });

describe('what a rule file would change', () => {
  it('counts people whose rows change, by series and status, with a few examples and their reasons', () => {
    const counts = comparePeople(before, after, [someone(1, '2019-06-15'), someone(2, '1950-01-01'), someone(3, '2018-02-01')], DAY);
    expect(counts).toMatchObject({ considered: 3, changed: 2 });
    expect(counts.transitions).toEqual([{ seriesId: 'FLU_2026_27', kind: 'CAMPAIGN', name: flu.name, from: 'DUE', to: null, persons: 2 }]);
    expect(counts.examples.map((e) => e.personId)).toEqual([1, 3]);
    const change = counts.examples[0]!.changes[0]!;
    expect(change).toMatchObject({ before: { status: 'DUE' }, after: null });
    expect(change.explanationBefore.join(' ')).toMatch(/School age/);
    expect(change.explanationAfter.join(' ')).toMatch(/No criterion/);
  });

  it('changes nothing under the same rules, and skips people not yet born on the day', () => {
    expect(comparePeople(before, before, [someone(1, '2019-06-15'), someone(2, '2027-01-01')], DAY)).toEqual({
      considered: 1,
      changed: 0,
      transitions: [],
      examples: [],
    });
  });
});

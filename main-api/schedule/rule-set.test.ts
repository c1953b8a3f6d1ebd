import { describe, expect, it } from 'vitest';
import { checkRuleFileText, type RuleFileData } from './load';
import { compileRuleFiles, resolveRuleSet, ruleFileKey, ruleFileReach, type ImportedRuleFile } from './rule-set';
import { rulesVersion, shippedRuleFiles } from './shipped-rules';
import type { CampaignData } from './types';

const shipped = shippedRuleFiles();
const flu = shipped.find((f) => f.kind === 'campaign' && f.id === 'FLU_2026_27') as CampaignData;
const routine = shipped.find((f) => f.kind === 'schedule') as RuleFileData;

const imported = (version: number, effectiveFrom: string, data: RuleFileData): ImportedRuleFile => ({ version, effectiveFrom, data });
const fluAs = (version: string, edit: (c: CampaignData) => void = () => {}): CampaignData => {
  const c = structuredClone(flu);
  c.version = version;
  edit(c);
  return c;
};
const versionsOf = (files: RuleFileData[], id: string) => files.filter((f) => f.id === id).map((f) => f.version);

describe('the rule set in force on a day', () => {
  it('is the shipped files when nothing is imported', () => {
    const r = resolveRuleSet(shipped, [], '2026-11-30');
    expect(r.files).toEqual(shipped);
    expect(r.imported).toEqual([]);
  });

  it('replaces a shipped campaign by an imported one of the same id, whatever its version, once its day has come', () => {
    const v = imported(7, '2026-12-01', fluAs('2026-27b'));
    expect(versionsOf(resolveRuleSet(shipped, [v], '2026-11-30').files, 'FLU_2026_27')).toEqual(['2026-27']);
    const on = resolveRuleSet(shipped, [v], '2026-12-01');
    expect(versionsOf(on.files, 'FLU_2026_27')).toEqual(['2026-27b import 7']);
    expect(on.files).toHaveLength(shipped.length);
    expect(rulesVersion(compileRuleFiles(on.files))).toContain('FLU_2026_27 v2026-27b import 7');
  });

  it('takes the latest effective date that has come, then the highest version on a tie', () => {
    const a = imported(3, '2026-10-01', fluAs('a'));
    const b = imported(4, '2026-11-01', fluAs('b'));
    const c = imported(5, '2027-01-01', fluAs('c'));
    const d = imported(6, '2026-11-01', fluAs('d'));
    expect(versionsOf(resolveRuleSet(shipped, [a, b, c], '2026-11-30').files, 'FLU_2026_27')).toEqual(['b import 4']);
    expect(versionsOf(resolveRuleSet(shipped, [d, b, a], '2026-11-30').files, 'FLU_2026_27')).toEqual(['d import 6']);
    expect(versionsOf(resolveRuleSet(shipped, [a, b, c], '2027-01-01').files, 'FLU_2026_27')).toEqual(['c import 5']);
    expect(versionsOf(resolveRuleSet(shipped, [a, b, c], '2026-09-30').files, 'FLU_2026_27')).toEqual(['2026-27']);
  });

  it('adds a campaign no shipped file has, and a new schedule version beside the shipped one', () => {
    const fresh = fluAs('1', (x) => {
      x.id = 'FLU_2027_28';
      x.startDate = '2027-09-01';
      x.endDate = '2028-03-31';
    });
    const nextRoutine = { ...structuredClone(routine), version: '2026-27', effectiveFrom: '2026-09-01' } as RuleFileData;
    const r = resolveRuleSet(shipped, [imported(1, '2026-11-01', fresh), imported(2, '2026-11-01', nextRoutine)], '2026-11-30');
    expect(r.files).toHaveLength(shipped.length + 2);
    expect(versionsOf(r.files, 'ENG-ROUTINE')).toEqual(['2025-26', '2026-27 import 2']);
    const rules = compileRuleFiles(r.files);
    expect(rules.schedules[0]!.map((v) => v.version)).toEqual(['2025-26', '2026-27 import 2']);
    expect(rules.campaigns.map((c) => c.id)).toContain('FLU_2027_28');
  });

  it('keys campaigns by id, schedules and catch-up plans by id and version', () => {
    expect(ruleFileKey(flu)).toBe('campaign:FLU_2026_27');
    expect(ruleFileKey(routine)).toBe('schedule:ENG-ROUTINE@2025-26');
  });
});

describe('whom a file can change', () => {
  it('reaches everyone for a schedule, and the birth dates of a campaign with age criteria only', () => {
    expect(ruleFileReach(routine)).toMatchObject({ everyone: true });
    const children = fluAs('x', (c) => {
      c.criteria = c.criteria.filter((k) => k.id === 'FLU-AGE-2-3' || k.id === 'FLU-SCHOOL');
    });
    // Aged 2 to 15 on 31 August 2026: born 1 September 2010 to 31 August 2024, give or take a week.
    expect(ruleFileReach(children)).toEqual({ ids: ['FLU_2026_27'], everyone: false, bornFrom: '2010-08-24', bornTo: '2024-09-07' });
  });

  it('reaches everyone when a criterion has no age (pregnancy)', () => {
    expect(ruleFileReach(flu)).toEqual({ ids: ['FLU_2026_27'], everyone: true, bornFrom: null, bornTo: null });
  });
});

describe('checking a rule file', () => {
  it('names every field at fault', () => {
    const json = JSON.parse(JSON.stringify(flu)) as Record<string, unknown>;
    json.startDate = '2026-13-01';
    json.antigens = ['NOT_AN_ANTIGEN'];
    const r = checkRuleFileText(JSON.stringify(json));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.split(':')[0])).toEqual(expect.arrayContaining(['startDate', 'antigens[0]']));
  });

  it('refuses text that is not JSON', () => {
    expect(checkRuleFileText('{"kind":')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^\(file\): not valid JSON/)] });
  });
});

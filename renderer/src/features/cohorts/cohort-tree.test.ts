import { describe, expect, it } from 'vitest';
import {
  addMember,
  buildDefinition,
  countCriteria,
  definitionToDraft,
  draftToRaw,
  emptyDraft,
  issueAt,
  newCriterion,
  newGroup,
  parseCodeList,
  parseYearGroups,
  removeNode,
  setGroupKind,
  setValue,
  UNNAMED,
  type CohortDraft,
} from './cohort-tree';

function draft(): CohortDraft {
  return { ...emptyDraft('2026-12-02'), name: 'Over 65s' };
}

describe('comma-separated lists', () => {
  it('trims, capitalises, drops blanks and repeats, and keeps the order written', () => {
    expect(parseCodeList(' me1, sw1a ,,ME1\nE01016012; ')).toEqual(['ME1', 'SW1A', 'E01016012']);
    expect(parseCodeList('me1   1, ME1 1')).toEqual(['ME1 1']);
    expect(parseCodeList('  ')).toEqual([]);
  });

  it('reads year groups as numbers, reception and nursery as words, and leaves anything else for the schema', () => {
    expect(parseYearGroups('7, 8, Year 9, Y10, R, N, -1')).toEqual([7, 8, 9, 10, 0, -1]);
    expect(parseYearGroups('seven')).toEqual(['SEVEN']);
  });
});

describe('editing the tree', () => {
  it('adds, regroups and removes nodes without changing the tree it was given', () => {
    const d = draft();
    const age = d.root.members[0]!;
    const inner = newGroup('any');
    const withGroup = addMember(d.root, d.root.id, inner);
    const sex = newCriterion('gender');
    const withSex = addMember(withGroup, inner.id, sex);
    expect(countCriteria(withSex)).toBe(2);
    expect(countCriteria(d.root)).toBe(1);
    const notGroup = setGroupKind(withSex, inner.id, 'not');
    expect((notGroup.members[1] as typeof inner).kind).toBe('not');
    expect(countCriteria(removeNode(notGroup, sex.id))).toBe(1);
    expect(removeNode(notGroup, age.id).members.map((m) => m.id)).toEqual([inner.id]);
  });
});

describe('building a definition', () => {
  it('builds age 65 or over, with the exclusions written out', () => {
    const d = draft();
    const root = setValue(d.root, d.root.members[0]!.id, 'min', 65);
    const built = buildDefinition({ ...d, root });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.definition.criteria).toEqual({ all: [{ age: { unit: 'years', min: 65 } }] });
    expect(built.definition.exclusions).toMatchObject({ alreadyVaccinated: false, deceased: true, invitedWithinDays: 28 });
  });

  it('counts a definition without a name under a stand-in, and saves none', () => {
    const d = { ...draft(), name: '' };
    const root = setValue(d.root, d.root.members[0]!.id, 'max', 4);
    expect(buildDefinition({ ...d, root }, { forCount: true })).toMatchObject({ ok: true, definition: { name: UNNAMED } });
    const saved = buildDefinition({ ...d, root });
    expect(saved.ok).toBe(false);
    if (!saved.ok) expect(issueAt(saved.issues, null, 'name')).toBe('Give a name');
  });

  it('places the schema messages on the node and field they are about', () => {
    const d = draft();
    const age = d.root.members[0]!;
    const any = newGroup('any', [newCriterion('lsoa'), newCriterion('ethnicity')]);
    const empty = newGroup('all');
    let root = addMember(addMember(d.root, d.root.id, any), d.root.id, empty);
    root = setValue(root, age.id, 'min', 70);
    root = setValue(root, age.id, 'max', 60);
    const [lsoa, ethnicity] = any.members;
    root = setValue(root, lsoa!.id, 'codes', 'E01016012, nonsense');
    const built = buildDefinition({ ...d, root });
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(issueAt(built.issues, age.id, 'max')).toBe('min is more than max');
    expect(issueAt(built.issues, lsoa!.id, 'codes')).toMatch(/^Not an LSOA code/);
    expect(issueAt(built.issues, ethnicity!.id, '')).toBe('Give categories or groups');
    expect(issueAt(built.issues, empty.id, '')).toBe('A group needs at least one member');
  });

  it('writes "none of" one member as NOT it, and of several as NOT any of them', () => {
    const d = draft();
    const a = newCriterion('gender');
    a.values.codes = ['1'];
    const b = newCriterion('practice');
    b.values.codes = 'g89001';
    const one = { ...d, root: newGroup('all', [newGroup('not', [a])]) };
    expect(draftToRaw(one).raw.criteria).toEqual({ all: [{ not: { gender: ['1'] } }] });
    const two = { ...d, root: newGroup('all', [newGroup('not', [a, b])]) };
    expect(draftToRaw(two).raw.criteria).toEqual({ all: [{ not: { any: [{ gender: ['1'] }, { practice: ['G89001'] }] } }] });
    // A mistake inside NOT (any ...) is still placed on its criterion.
    b.values.codes = 'x';
    const built = buildDefinition(two);
    expect(built.ok).toBe(false);
    if (!built.ok) expect(issueAt(built.issues, b.id, 'codes')).toMatch(/^Not a GP practice code/);
  });

  it('refuses to leave out the already vaccinated without a campaign, and names the exclusion', () => {
    const d = draft();
    const root = setValue(d.root, d.root.members[0]!.id, 'min', 65);
    const raw = draftToRaw({ ...d, root, campaign: null }).raw as { exclusions: Record<string, unknown> };
    expect(raw.exclusions.alreadyVaccinated).toBeUndefined();
    const bad = buildDefinition({ ...d, root, exclusions: { ...d.exclusions, invitedWithinDays: 400 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(issueAt(bad.issues, null, 'exclusions.invitedWithinDays')).toBe('At most 365 days');
  });

  it('builds each kind of criterion from its form', () => {
    const d = draft();
    const kinds = [
      ['dateOfBirth', { from: '1950-01-01', to: '' }],
      ['ethnicity', { groups: ['ASIAN'] }],
      ['postcode', { districts: 'me1, me2', sectors: 'me4 4' }],
      ['imdDecile', { min: 1, max: 3 }],
      ['localAuthority', { codes: 'E06000035' }],
      ['icb', { codes: 'QKS' }],
      ['school', { urns: '900101', yearGroups: '7, 8' }],
      ['flags', { categories: ['RISK_GROUP'], on: '2026-10-01' }],
      ['staff', { staffGroups: ['NURSING'], frontline: 'yes' }],
      ['vaccination', { state: 'doses-before', about: 'programme', programme: 'routine_childhood', doses: 2, before: '2026-01-01' }],
      ['invitation', { state: 'invited-before', before: '2026-10-01' }],
    ] as const;
    let root = d.root;
    for (const [kind, values] of kinds) {
      const c = newCriterion(kind);
      Object.assign(c.values, values);
      root = addMember(root, root.id, c);
    }
    const built = buildDefinition({ ...d, campaign: 'FLU_2026_27', root: removeNode(root, d.root.members[0]!.id) });
    expect(built.ok ? null : built.issues).toBeNull();
    if (!built.ok) return;
    const members = (built.definition.criteria as { all: unknown[] }).all;
    expect(members).toEqual([
      { dateOfBirth: { from: '1950-01-01' } },
      { ethnicity: { groups: ['ASIAN'] } },
      { postcode: { districts: ['ME1', 'ME2'], sectors: ['ME4 4'] } },
      { imdDecile: { min: 1, max: 3 } },
      { localAuthority: ['E06000035'] },
      { icb: ['QKS'] },
      { school: { urns: ['900101'], yearGroups: [7, 8] } },
      { flags: { categories: ['RISK_GROUP'], on: '2026-10-01' } },
      { staff: { staffGroups: ['NURSING'], frontline: true } },
      { vaccination: { state: 'doses-before', programme: 'ROUTINE_CHILDHOOD', doses: 2, before: '2026-01-01' } },
      { invitation: { state: 'invited-before', before: '2026-10-01' } },
    ]);
  });

  it('asks for the campaign that invitation criteria are about', () => {
    const d = draft();
    const invited = newCriterion('invitation');
    const built = buildDefinition({ ...d, root: newGroup('all', [invited]) });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(issueAt(built.issues, null, 'campaign')).toBe('Name the campaign the invitation criteria are about');
    expect(buildDefinition({ ...d, campaign: 'FLU_2026_27', root: newGroup('all', [invited]) }).ok).toBe(true);
  });
});

describe('opening a saved definition', () => {
  it('gives back a form that builds the same definition', () => {
    const d = draft();
    const flags = newCriterion('flags');
    flags.values.categories = ['RISK_GROUP'];
    const age = newCriterion('age');
    Object.assign(age.values, { min: 18, max: 64 });
    const over65 = newCriterion('age');
    over65.values.min = 65;
    const never = newCriterion('vaccination');
    Object.assign(never.values, { state: 'never-had', antigen: 'INFLUENZA' });
    const staff = newCriterion('staff');
    Object.assign(staff.values, { employers: 'RPA, RN7', frontline: 'no' });
    const school = newCriterion('school');
    school.values.yearGroups = 'R, 1';
    const root = newGroup('any', [over65, newGroup('all', [age, flags]), newGroup('not', [never, staff]), newGroup('not', [school])]);
    const first = buildDefinition({ ...d, root, campaign: 'FLU_2026_27', exclusions: { ...d.exclusions, alreadyVaccinated: false } });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const reopened = definitionToDraft(first.definition);
    expect(reopened.campaign).toBe('FLU_2026_27');
    expect(reopened.exclusions.alreadyVaccinated).toBe(false);
    const again = buildDefinition(reopened);
    expect(again.ok && again.definition).toEqual(first.definition);
  });

  it('wraps a lone criterion at the top in an "all of" group', () => {
    const reopened = definitionToDraft({
      format: 1,
      name: 'Males',
      referenceDate: '2026-12-02',
      criteria: { gender: ['1'] },
      exclusions: {
        alreadyVaccinated: false,
        deceased: true,
        noLongerRegistered: true,
        optedOutOfEveryChannel: true,
        noUsableContact: true,
        invitedWithinDays: 28,
      },
    });
    expect(reopened.root.kind).toBe('all');
    expect(reopened.root.members).toHaveLength(1);
  });
});

// Cohort definition files: every criterion reads and says what it means, groups read correctly
// when nested, and anything hostile or wrong is refused with the field at fault named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCohort, parseCohortFile } from './cohort-definition.rules';
import { scheduleRules } from '../schedule';

const CAMPAIGNS = new Map(scheduleRules().campaigns.map((c) => [c.id, c.name]));

/** A definition around some criteria, as a file's text. */
function file(criteria: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 1, name: 'Test cohort', referenceDate: '2027-03-31', criteria, ...extra });
}

function parse(criteria: unknown, extra: Record<string, unknown> = {}) {
  return parseCohortFile(file(criteria, extra), CAMPAIGNS);
}

/** The description of a valid definition, without the exclusions sentence. */
function says(criteria: unknown, extra: Record<string, unknown> = {}): string {
  const r = parse(criteria, extra);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return describeCohort(r.definition, CAMPAIGNS).replace(/ Left out: .*$/, '');
}

/** The errors for an invalid definition. */
function errors(criteria: unknown, extra: Record<string, unknown> = {}): string[] {
  const r = parse(criteria, extra);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(r.definition)}`);
  return r.errors;
}

describe('each kind of criterion', () => {
  const cases: [string, unknown, string][] = [
    ['age, at least', { age: { min: 65 } }, 'People aged 65 or over on 31 March 2027.'],
    ['age, a range', { age: { min: 18, max: 64 } }, 'People aged 18 to 64 on 31 March 2027.'],
    [
      'age, at most, in months, on its own date',
      { age: { max: 23, unit: 'months', on: '2026-08-31' } },
      'People aged 23 months or under on 31 August 2026.',
    ],
    ['age in weeks', { age: { min: 8, max: 12, unit: 'weeks' } }, 'People aged 8 to 12 weeks on 31 March 2027.'],
    ['age, exactly one', { age: { min: 1, max: 1, unit: 'months' } }, 'People aged 1 month on 31 March 2027.'],
    [
      'date of birth range',
      { dateOfBirth: { from: '1950-04-01', to: '1962-03-31' } },
      'People born between 1 April 1950 and 31 March 1962.',
    ],
    ['date of birth from', { dateOfBirth: { from: '2024-09-01' } }, 'People born on or after 1 September 2024.'],
    ['date of birth to', { dateOfBirth: { to: '1962-03-31' } }, 'People born on or before 31 March 1962.'],
    ['gender', { gender: ['2', '1'] }, 'People recorded as Female or Male.'],
    [
      'ethnic categories',
      { ethnicity: { categories: ['B', 'R'] } },
      'People of ethnic category White - Irish or Other ethnic groups - Chinese.',
    ],
    ['ethnic groups', { ethnicity: { groups: ['ASIAN'] } }, 'People in the Asian or Asian British ethnic group.'],
    ['postcode areas', { postcode: { areas: ['ME', 'CT'] } }, 'People in the ME and CT postcode areas.'],
    [
      'postcode districts and sectors',
      { postcode: { districts: ['ME1'], sectors: ['CT1 2', 'CT1 3'] } },
      'People in postcode district ME1 or in postcode sectors CT1 2 and CT1 3.',
    ],
    ['LSOA', { lsoa: ['E01990001', 'E01990002'] }, 'People living in LSOA E01990001 or E01990002.'],
    ['IMD deciles', { imdDecile: { max: 3 } }, 'People living in IMD deciles 1 to 3 (1 is the most deprived).'],
    ['one IMD decile', { imdDecile: { min: 10, max: 10 } }, 'People living in IMD decile 10 (1 is the most deprived).'],
    ['local authority', { localAuthority: ['E06000035'] }, 'People living in local authority E06000035.'],
    ['ICB', { icb: ['QKS'] }, 'People living in the area of ICB QKS.'],
    ['GP practice', { practice: ['G89001', 'G89002', 'G89003'] }, 'People registered with GP practice G89001, G89002 or G89003.'],
    [
      'school and year group',
      { school: { urns: ['900101'], yearGroups: [-1, 0, 7] } },
      'People at school 900101 in Nursery, Reception or Year 7.',
    ],
    ['year group anywhere', { school: { yearGroups: [11] } }, 'People at school in Year 11.'],
    [
      'flag codes',
      { flags: { codes: ['DIABETES', 'PREGNANT'] } },
      'People with an active flag for Diabetes and other endocrine disorders or Pregnant on 31 March 2027.',
    ],
    ['flag categories', { flags: { categories: ['RISK_GROUP'] } }, 'People with an active risk group flag on 31 March 2027.'],
    [
      'flag codes and categories on a date',
      { flags: { codes: ['FRAILTY'], categories: ['RESIDENCE'], on: '2026-10-01' } },
      'People with an active flag for Frailty, or any residence flag on 1 October 2026.',
    ],
    [
      'staff',
      { staff: { employers: ['RWF'], staffGroups: ['NURSING', 'MEDICAL'], frontline: true } },
      'People who are frontline Nursing or Medical staff of employer RWF.',
    ],
    ['any staff', { staff: {} }, 'People who are staff.'],
    ['never had', { vaccination: { state: 'never-had', antigen: 'MEASLES' } }, 'People never vaccinated against Measles.'],
    [
      'never had, programme',
      { vaccination: { state: 'never-had', programme: 'ROUTINE_CHILDHOOD' } },
      'People never vaccinated in programme ROUTINE_CHILDHOOD.',
    ],
    [
      'dose N before',
      { vaccination: { state: 'doses-before', antigen: 'MEASLES', doses: 2, before: '2026-01-01' } },
      'People given at least 2 doses against Measles before 1 January 2026.',
    ],
    [
      'a dose before',
      { vaccination: { state: 'doses-before', antigen: 'PCV', doses: 1, before: '2026-01-01' } },
      'People given a dose against Pneumococcal (conjugate) before 1 January 2026.',
    ],
    [
      'schedule status',
      { vaccination: { state: 'schedule', antigen: 'MEASLES', statuses: ['DUE', 'OVERDUE'] } },
      'People whose schedule status for Measles is Due or Overdue.',
    ],
    [
      'campaign status',
      { vaccination: { state: 'campaign', campaign: 'FLU_2026_27', statuses: ['DUE'] } },
      'People whose status in Flu 2026 to 2027 is Eligible now.',
    ],
  ];
  for (const [name, criteria, expected] of cases) it(name, () => expect(says(criteria)).toBe(expected));

  it('invitations for the campaign, which must be named', () => {
    const flu = { campaign: 'FLU_2026_27', exclusions: { alreadyVaccinated: false } };
    expect(says({ invitation: { state: 'never-invited' } }, flu)).toBe('People never invited for Flu 2026 to 2027.');
    expect(says({ invitation: { state: 'invited-before', before: '2026-10-01' } }, flu)).toBe(
      'People last invited for Flu 2026 to 2027 before 1 October 2026.',
    );
    expect(says({ invitation: { state: 'invited-not-booked' } }, flu)).toBe(
      'People invited for Flu 2026 to 2027 but neither booked nor vaccinated.',
    );
    expect(says({ not: { invitation: { state: 'did-not-attend' } } }, flu)).toBe(
      'People not having missed a booking for Flu 2026 to 2027.',
    );
    expect(errors({ invitation: { state: 'never-invited' } })).toEqual(['campaign: Name the campaign the invitation criteria are about']);
  });

  it('covers every kind the format has', async () => {
    const { CRITERION_KINDS } = await import('../contract/cohorts');
    const used = new Set([...cases.map(([, c]) => Object.keys(c as object)[0]), 'invitation']);
    expect([...used].sort()).toEqual([...CRITERION_KINDS].sort());
  });

  it('fills in defaults and drops a code written twice', () => {
    const r = parse({ all: [{ age: { min: 65 } }, { practice: ['G89001', 'G89001'] }, { imdDecile: { min: 8 } }] });
    expect(r.ok && r.definition.criteria).toEqual({
      all: [{ age: { unit: 'years', min: 65 } }, { practice: ['G89001'] }, { imdDecile: { min: 8, max: 10 } }],
    });
  });
});

describe('groups', () => {
  const A = { age: { min: 65 } };
  const B = { age: { min: 18, max: 64 } };
  const FLAG = { flags: { categories: ['RISK_GROUP'] } };
  const ME = { postcode: { areas: ['ME'] } };

  it('joins AND with "and", OR with ", or", and says a date once', () => {
    expect(says({ all: [B, FLAG] })).toBe('People aged 18 to 64 on 31 March 2027 and with an active risk group flag.');
    expect(says({ any: [A, ME] })).toBe('People aged 65 or over on 31 March 2027, or in the ME postcode area.');
  });

  it('says "either ... or" for a plain OR inside an AND', () => {
    expect(says({ all: [{ any: [A, FLAG] }, ME] })).toBe(
      'People either aged 65 or over on 31 March 2027, or with an active risk group flag and in the ME postcode area.',
    );
  });

  it('brackets an AND inside an OR, and an OR of groups inside an AND', () => {
    expect(says({ all: [{ any: [A, { all: [B, FLAG] }] }, ME] })).toBe(
      'People (aged 65 or over on 31 March 2027, or (aged 18 to 64 and with an active risk group flag)) and in the ME postcode area.',
    );
  });

  it('says NOT before a criterion, and brackets a group after it', () => {
    expect(says({ all: [A, { not: ME }] })).toBe('People aged 65 or over on 31 March 2027 and not in the ME postcode area.');
    expect(says({ not: { any: [A, ME] } })).toBe('People not (aged 65 or over on 31 March 2027, or in the ME postcode area).');
  });

  it('reads a group of one as its member', () => {
    expect(says({ all: [{ any: [A] }] })).toBe('People aged 65 or over on 31 March 2027.');
  });
});

describe('exclusions', () => {
  const A = { age: { min: 65 } };
  const full = (extra: Record<string, unknown>) => {
    const r = parse(A, extra);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return { def: r.definition, text: describeCohort(r.definition, CAMPAIGNS) };
  };

  it('are on by default, with a 28-day invitation window, and the campaign one only with a campaign', () => {
    const { def, text } = full({});
    expect(def.exclusions).toEqual({
      alreadyVaccinated: false,
      deceased: true,
      noLongerRegistered: true,
      optedOutOfEveryChannel: true,
      noUsableContact: true,
      invitedWithinDays: 28,
    });
    expect(text).toBe(
      'People aged 65 or over on 31 March 2027. Left out: people who have died, people no longer registered with a GP practice, ' +
        'people who have opted out of every channel we could use, people with no usable contact details and people invited in the last 28 days.',
    );
    expect(full({ campaign: 'FLU_2026_27' }).def.exclusions.alreadyVaccinated).toBe(true);
  });

  it('can each be turned off', () => {
    const { text } = full({
      campaign: 'FLU_2026_27',
      exclusions: {
        alreadyVaccinated: false,
        deceased: false,
        noLongerRegistered: false,
        optedOutOfEveryChannel: false,
        noUsableContact: false,
        invitedWithinDays: 0,
      },
    });
    expect(text).toBe('People aged 65 or over on 31 March 2027.');
    expect(
      full({
        exclusions: {
          deceased: false,
          noLongerRegistered: false,
          optedOutOfEveryChannel: false,
          noUsableContact: false,
          invitedWithinDays: 1,
        },
      }).text,
    ).toBe('People aged 65 or over on 31 March 2027. Left out: people invited in the last 1 day.');
  });

  it('refuses "already vaccinated" without a campaign', () => {
    expect(errors(A, { exclusions: { alreadyVaccinated: true } })).toEqual([
      'exclusions.alreadyVaccinated: Name the campaign to leave out people already vaccinated in it',
    ]);
  });
});

describe('the example for the 2026-27 flu bench cohort', () => {
  it('reads and says who it means', () => {
    const text = readFileSync(join(__dirname, '../../resources/cohorts/flu-2026-27-65-and-at-risk.json'), 'utf8');
    const r = parseCohortFile(text, CAMPAIGNS);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.definition.campaign).toBe('FLU_2026_27');
    expect(describeCohort(r.definition, CAMPAIGNS)).toBe(
      'People aged 65 or over on 31 March 2027, or (aged 18 to 64 and with an active risk group flag), not already vaccinated in Flu 2026 to 2027. ' +
        'Left out: people who have died, people no longer registered with a GP practice, people who have opted out of every channel we could use ' +
        'and people with no usable contact details.',
    );
  });
});

describe('the examples in docs/cohort-definition.md', () => {
  it('are all valid', () => {
    const doc = readFileSync(join(__dirname, '../../docs/cohort-definition.md'), 'utf8');
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const text of examples) expect(parseCohortFile(text, CAMPAIGNS)).toMatchObject({ ok: true });
  });
});

describe('refused, with the field at fault', () => {
  const deep = (n: number): object => (n === 0 ? { age: { min: 1 } } : { all: [deep(n - 1)] });

  const cases: [string, unknown, Record<string, unknown>, string[]][] = [
    [
      'an SQL fragment as a code',
      { practice: ["G89001'; DROP TABLE ims.person; --"] },
      {},
      ['criteria.practice[0]: Not a GP practice code (3 to 8 capital letters or digits)'],
    ],
    [
      'an SQL fragment as a number',
      { age: { min: '65 OR 1=1' } },
      {},
      ['criteria.age.min: Invalid input: expected number, received string'],
    ],
    [
      'an SQL fragment as a postcode',
      { postcode: { areas: ["ME' OR '1'='1"] } },
      {},
      ['criteria.postcode.areas[0]: Not a postcode area (one or two capital letters, e.g. ME)'],
    ],
    [
      'a lower-case code',
      { postcode: { districts: ['me1'] } },
      {},
      ['criteria.postcode.districts[0]: Not a postcode district (e.g. ME1, SW1A)'],
    ],
    ['a NUL in the name', { age: { min: 1 } }, { name: 'Flu\u0000' }, ['name: No control or formatting characters']],
    ['10,000 characters in the name', { age: { min: 1 } }, { name: 'x'.repeat(10_000) }, ['name: At most 120 characters']],
    ['10,000 characters as a code', { lsoa: ['E'.repeat(10_000)] }, {}, ['criteria.lsoa[0]: Not an LSOA code (e.g. E01016012)']],
    [
      'an unknown flag',
      { flags: { codes: ['DIABETES', 'WEREWOLF'] } },
      {},
      ['criteria.flags.codes[1]: Not a known code: "WEREWOLF" (the codes are listed in docs/cohort-definition.md)'],
    ],
    ['an unknown gender', { gender: ['M'] }, {}, ['criteria.gender[0]: Invalid option: expected one of "0"|"1"|"2"|"9"']],
    [
      'an unknown ethnic category',
      { ethnicity: { categories: ['Q'] } },
      {},
      ['criteria.ethnicity.categories[0]: Not a known code: "Q" (the codes are listed in docs/cohort-definition.md)'],
    ],
    [
      'an unknown campaign',
      { vaccination: { state: 'campaign', campaign: 'FLU_1999_00', statuses: ['DUE'] } },
      {},
      ['criteria.vaccination.campaign: No campaign FLU_1999_00 in the rules'],
    ],
    [
      'an unknown campaign for the definition',
      { age: { min: 1 } },
      { campaign: 'FLU_1999_00' },
      ['campaign: No campaign FLU_1999_00 in the rules'],
    ],
    ['an impossible date', { dateOfBirth: { from: '2023-02-29' } }, {}, ['criteria.dateOfBirth.from: Use a real date written YYYY-MM-DD']],
    ['a date out of range', { dateOfBirth: { from: '1066-10-14' } }, {}, ['criteria.dateOfBirth.from: Use a date from 1900 to 2149']],
    [
      'a date the wrong way round',
      { dateOfBirth: { from: '2020-01-01', to: '2019-01-01' } },
      {},
      ['criteria.dateOfBirth.to: to is before from'],
    ],
    [
      'an impossible reference date',
      { age: { min: 1 } },
      { referenceDate: '31/03/2027' },
      ['referenceDate: Use a real date written YYYY-MM-DD'],
    ],
    ['an age too great', { age: { min: 131 } }, {}, ['criteria.age.min: At most 130 years']],
    ['a negative age', { age: { max: -1 } }, {}, ['criteria.age.max: Too small: expected number to be >=0']],
    ['a fractional age', { age: { min: 1.5 } }, {}, ['criteria.age.min: Invalid input: expected int, received number']],
    ['min above max', { age: { min: 65, max: 18 } }, {}, ['criteria.age.max: min is more than max']],
    ['an age with no bounds', { age: {} }, {}, ['criteria.age: Give min, max or both']],
    ['decile 11', { imdDecile: { min: 11 } }, {}, ['criteria.imdDecile.min: Deciles run from 1 to 10']],
    ['year group 15', { school: { yearGroups: [15] } }, {}, ['criteria.school.yearGroups[0]: Year groups run from -1 (nursery) to 14']],
    [
      'eleven doses',
      { vaccination: { state: 'doses-before', antigen: 'MEASLES', doses: 11, before: '2026-01-01' } },
      {},
      ['criteria.vaccination.doses: At most 10 doses'],
    ],
    [
      'antigen and programme both',
      { vaccination: { state: 'never-had', antigen: 'MEASLES', programme: 'ADULT' } },
      {},
      ['criteria.vaccination: Give either antigen or programme'],
    ],
    [
      'an unknown vaccination state',
      { vaccination: { state: 'sort-of', antigen: 'MEASLES' } },
      {},
      ["criteria.vaccination.state: Invalid discriminator value. Expected 'never-had' | 'doses-before' | 'schedule' | 'campaign'"],
    ],
    ['an extra field in a criterion', { age: { min: 1, sql: 'x' } }, {}, ['criteria.age.sql: Not a field of this format']],
    ['an extra field at the top', { age: { min: 1 } }, { where: '1=1' }, ['where: Not a field of this format']],
    ['an unknown criterion', { any: [{ age: { min: 1 } }, { sql: 'SELECT 1' }] }, {}, ['criteria.any[1].sql: Not a field of this format']],
    [
      'two criteria in one object',
      { all: [{ age: { min: 1 }, gender: ['1'] }] },
      {},
      [expect.stringMatching(/^criteria\.all\[0\]: Write one group .* per object; found 2: age, gender$/) as unknown as string],
    ],
    ['an empty group', { any: [] }, {}, ['criteria.any: A group needs at least one member']],
    [
      'a deep mistake',
      { any: [{ age: { min: 1 } }, { all: [{ age: { min: 'x' } }] }] },
      {},
      ['criteria.any[1].all[0].age.min: Invalid input: expected number, received string'],
    ],
    ['nesting too deep', deep(7), {}, ['criteria.all[0].all[0].all[0].all[0].all[0].all[0].all: Groups nest at most 6 deep']],
    [
      'too many in a group',
      { any: Array.from({ length: 51 }, () => ({ age: { min: 1 } })) },
      {},
      ['criteria.any: At most 50 members in a group'],
    ],
    [
      'too many criteria',
      { any: Array.from({ length: 5 }, () => ({ all: Array.from({ length: 45 }, () => ({ age: { min: 1 } })) })) },
      {},
      ['criteria.any[4].all[20].age: At most 200 criteria in a definition'],
    ],
    ['the wrong format', { age: { min: 1 } }, { format: 2 }, ['format: This reads format 1 definitions: write "format": 1']],
  ];
  for (const [name, criteria, extra, expected] of cases) it(name, () => expect(errors(criteria, extra)).toEqual(expected));

  it('nesting far too deep, as deep as a file may be long', () => {
    const n = 18_000;
    const text = `{"format":1,"name":"x","referenceDate":"2027-03-31","criteria":${'{"all":['.repeat(n)}{"age":{"min":1}}${']}'.repeat(n)}}`;
    expect(parseCohortFile(text, CAMPAIGNS)).toEqual({
      ok: false,
      errors: ['criteria.all[0].all[0].all[0].all[0].all[0].all[0].all: Groups nest at most 6 deep'],
    });
    const arrays = `{"format":1,"name":"x","referenceDate":"2027-03-31","criteria":${'['.repeat(90_000)}${']'.repeat(90_000)}}`;
    expect(parseCohortFile(arrays, CAMPAIGNS)).toEqual({ ok: false, errors: ['criteria: Invalid input: expected object, received array'] });
  });

  it('a __proto__ field and a number too large for a number', () => {
    const text = (criteria: string) => `{"format":1,"name":"x","referenceDate":"2027-03-31","criteria":${criteria}}`;
    expect(parseCohortFile(text('{"age":{"min":1,"__proto__":{"max":3}}}'), CAMPAIGNS)).toEqual({
      ok: false,
      errors: ['criteria.age.__proto__: Not a field of this format'],
    });
    expect(parseCohortFile(text('{"age":{"min":1e400}}'), CAMPAIGNS)).toEqual({
      ok: false,
      errors: ['criteria.age.min: Invalid input: expected number, received Infinity'],
    });
  });

  it('nesting just deep enough is accepted', () => {
    expect(parse(deep(6)).ok).toBe(true);
  });

  it('malformed JSON, with where it stopped when the parser says', () => {
    const r = parseCohortFile('{\n  "format": 1,\n  "name": "x",\n  oops\n}', CAMPAIGNS);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toMatch(/^\(the file\): not valid JSON at line 4, column 3/);
    expect(parseCohortFile('', CAMPAIGNS)).toMatchObject({ ok: false, errors: [expect.stringMatching(/^\(the file\): not valid JSON/)] });
    expect(parseCohortFile('[1,2]', CAMPAIGNS)).toMatchObject({
      ok: false,
      errors: ['(the definition): Invalid input: expected object, received array'],
    });
  });

  it('a file too long to be a definition', () => {
    expect(parseCohortFile(' '.repeat(200_001), CAMPAIGNS)).toEqual({ ok: false, errors: ['(the file): longer than 200,000 characters'] });
  });
});

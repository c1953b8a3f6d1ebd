import { describe, expect, it } from 'vitest';
import { forecast } from './forecast';
import { given, person, rules } from './schedule.fixtures';
import type { CampaignForecast, EventInput, PersonInput } from './types';

function campaign(p: PersonInput, asOf: string, id: string, events: EventInput[] = []): CampaignForecast {
  const c = forecast(rules, p, events, asOf).campaigns.find((x) => x.campaignId === id);
  if (!c) throw new Error(`campaign ${id} missing`);
  return c;
}
const flag = (code: string, from = '2020-01-01', to: string | null = null) => ({ code, from, to });
const flu = (p: PersonInput, asOf: string, events: EventInput[] = []) => campaign(p, asOf, 'FLU_2025_26', events);
const ruleIds = (c: CampaignForecast) => c.reasons.map((r) => /rule ([A-Z0-9-]+)/.exec(r)?.[1]);

describe('flu 2025-26 criteria', () => {
  it.each([
    // [label, dob, flags, asOf, eligible, rule]
    ['aged 2 on 31 August 2025 (born 31 August 2023)', '2023-08-31', [], '2025-09-01', true, 'FLU-AGE-2-3'],
    ['aged 1 on 31 August 2025 (born 1 September 2023)', '2023-09-01', [], '2025-10-01', false, null],
    ['aged 3 on 31 August 2025 (born 1 September 2021)', '2021-09-01', [], '2025-09-01', true, 'FLU-AGE-2-3'],
    ['Reception (born 31 August 2021)', '2021-08-31', [], '2025-09-01', true, 'FLU-SCHOOL'],
    ['Year 11 (born 1 September 2009)', '2009-09-01', [], '2025-09-01', true, 'FLU-SCHOOL'],
    ['Year 12 (born 31 August 2009)', '2009-08-31', [], '2025-10-01', false, null],
    ['aged 17 with asthma', '2008-01-01', [flag('CHRONIC_RESPIRATORY')], '2025-09-01', true, 'FLU-AT-RISK-CHILD'],
    ['aged 17 with asthma that ended', '2008-01-01', [flag('CHRONIC_RESPIRATORY', '2020-01-01', '2025-06-30')], '2025-10-01', false, null],
    ['6 months old with heart disease', '2025-03-15', [flag('CHRONIC_HEART')], '2025-09-15', true, 'FLU-AT-RISK-CHILD'],
    ['5 months 30 days with heart disease', '2025-03-15', [flag('CHRONIC_HEART')], '2025-09-14', false, null],
    ['pregnant on 1 Sep', '1995-05-05', [flag('PREGNANT', '2025-06-01')], '2025-09-01', true, 'FLU-PREGNANT'],
    ['pregnancy that has ended', '1995-05-05', [flag('PREGNANT', '2025-01-01', '2025-08-31')], '2025-09-01', false, null],
    ['65 on 31 March 2026 (born 31 March 1961)', '1961-03-31', [], '2025-10-01', true, 'FLU-65-PLUS'],
    ['64 on 31 March 2026 (born 1 April 1961)', '1961-04-01', [], '2025-10-01', false, null],
    ['aged 40 with diabetes', '1985-01-01', [flag('DIABETES')], '2025-10-01', true, 'FLU-RISK-18-64'],
    ['aged 40 with morbid obesity', '1985-01-01', [flag('MORBID_OBESITY')], '2025-10-01', true, 'FLU-RISK-18-64'],
    ['aged 40 with frailty only', '1985-01-01', [flag('FRAILTY')], '2025-10-01', false, null],
    ['care home resident', '1970-01-01', [flag('CARE_HOME_RESIDENT')], '2025-10-01', true, 'FLU-CARE-HOME'],
    ['carer', '1970-01-01', [flag('CARER')], '2025-10-01', true, 'FLU-CARER'],
    ['close contact of an immunocompromised person', '1970-01-01', [flag('IMMUNOSUPPRESSED_CONTACT')], '2025-10-01', true, 'FLU-CONTACT'],
    ['healthy adult of 40', '1985-01-01', [], '2025-10-01', false, null],
  ])('%s', (_label, dob, flags, asOf, eligible, rule) => {
    const c = flu(person(dob as string, { flags: flags as PersonInput['flags'] }), asOf as string);
    expect(c.eligible).toBe(eligible);
    expect(c.status).toBe(eligible ? 'DUE' : 'NOT_ELIGIBLE');
    if (rule) expect(ruleIds(c)).toContain(rule);
    else expect(c.reasons).toEqual([]);
  });

  it('names the flag used in the reason', () => {
    const c = flu(person('1985-01-01', { flags: [flag('DIABETES')] }), '2025-10-01');
    expect(c.reasons[0]).toBe(
      'Aged 18 to 64 in a clinical risk group; recorded: DIABETES (rule FLU-RISK-18-64, Flu 2025 to 2026 v2025-26)',
    );
  });

  it('criteria starting 1 Oct are UPCOMING on 30 Sep and DUE on 1 Oct; 1 Sep criteria are DUE on 1 Sep', () => {
    const older = person('1950-01-01');
    const sept = flu(older, '2025-09-30');
    expect([sept.eligible, sept.status, sept.eligibleFrom]).toEqual([false, 'UPCOMING', '2025-10-01']);
    expect(flu(older, '2025-10-01').status).toBe('DUE');
    expect(flu(person('2023-01-01'), '2025-09-01').status).toBe('DUE');
    expect(flu(person('2023-01-01'), '2025-08-31').status).toBe('UPCOMING');
  });

  it('frontline staff are eligible from 1 Oct while the staff record is active', () => {
    const staff = (frontline: boolean, to: string | null = null) =>
      person('1980-01-01', { staff: [{ frontline, from: '2020-01-01', to }] });
    expect(ruleIds(flu(staff(true), '2025-10-01'))).toEqual(['FLU-FRONTLINE']);
    expect(flu(staff(false), '2025-10-01').eligible).toBe(false);
    expect(flu(staff(true, '2025-09-30'), '2025-10-01').eligible).toBe(false);
  });

  it('several matching criteria are all named', () => {
    const c = flu(person('1950-01-01', { flags: [flag('CARE_HOME_RESIDENT'), flag('CHRONIC_HEART')] }), '2025-10-01');
    expect(ruleIds(c)).toEqual(['FLU-65-PLUS', 'FLU-CARE-HOME']);
  });

  it('a dose this season is GIVEN; last season does not count; a decline is DECLINED', () => {
    const p = person('1950-01-01');
    expect(flu(p, '2025-11-01', [given('2025-10-05', ['INFLUENZA'])])).toMatchObject({ status: 'GIVEN', givenOn: '2025-10-05' });
    expect(flu(p, '2025-11-01', [given('2025-03-01', ['INFLUENZA'])]).status).toBe('DUE');
    const declined: EventInput = { date: '2025-10-10', antigens: ['INFLUENZA'], outcome: 'NOT_GIVEN', reason: 'DECLINED' };
    expect(flu(p, '2025-11-01', [declined]).status).toBe('DECLINED');
  });

  it('nobody is eligible after the campaign ends', () => {
    expect(flu(person('1950-01-01'), '2026-04-01').status).toBe('NOT_ELIGIBLE');
  });
});

describe('COVID-19 campaigns', () => {
  const spring = (p: PersonInput, asOf: string) => campaign(p, asOf, 'COVID19_SPRING_2026');
  it('spring 2026 starts on 13 April 2026', () => {
    const p = person('1945-06-01');
    expect(spring(p, '2026-04-12')).toMatchObject({ status: 'UPCOMING', eligibleFrom: '2026-04-13' });
    expect(spring(p, '2026-04-13')).toMatchObject({ status: 'DUE', eligible: true });
    expect(spring(person('1951-07-01'), '2026-04-13').eligible).toBe(false); // 74 on 30 June 2026
    expect(spring(person('1951-06-30'), '2026-04-13').eligible).toBe(true);
  });
});

// The 2026-27 letter keeps the cohorts of 2025-26: the same boundaries, a year on.
describe('flu 2026-27 criteria', () => {
  const flu27 = (p: PersonInput, asOf: string, events: EventInput[] = []) => campaign(p, asOf, 'FLU_2026_27', events);
  it.each([
    // [label, dob, asOf, status, rule]
    ['aged 2 on 31 August 2026 (born 31 August 2024)', '2024-08-31', '2026-09-01', 'DUE', 'FLU-AGE-2-3'],
    ['aged 1 on 31 August 2026 (born 1 September 2024)', '2024-09-01', '2026-12-02', 'NOT_ELIGIBLE', null],
    ['aged 3 on 31 August 2026 (born 1 September 2022)', '2022-09-01', '2026-09-01', 'DUE', 'FLU-AGE-2-3'],
    ['Year 11 (born 1 September 2010)', '2010-09-01', '2026-09-01', 'DUE', 'FLU-SCHOOL'],
    ['Year 12 (born 31 August 2010)', '2010-08-31', '2026-10-01', 'NOT_ELIGIBLE', null],
    ['65 on 31 March 2027 (born 31 March 1962), from 1 October', '1962-03-31', '2026-10-01', 'DUE', 'FLU-65-PLUS'],
    ['65 on 31 March 2027, on 30 September', '1962-03-31', '2026-09-30', 'UPCOMING', null],
    ['64 on 31 March 2027 (born 1 April 1962)', '1962-04-01', '2026-10-01', 'NOT_ELIGIBLE', null],
  ])('%s', (_label, dob, asOf, status, rule) => {
    const c = flu27(person(dob as string), asOf as string);
    expect(c.status).toBe(status);
    if (rule) expect(ruleIds(c)).toContain(rule);
  });

  it('a dose of last season does not count; one this season does; the season ends on 31 March 2027', () => {
    const p = person('1950-01-01');
    expect(flu27(p, '2026-12-02', [given('2025-10-05', ['INFLUENZA'])]).status).toBe('DUE');
    expect(flu27(p, '2026-12-02', [given('2026-10-05', ['INFLUENZA'])])).toMatchObject({ status: 'GIVEN', givenOn: '2026-10-05' });
    expect(flu27(p, '2027-04-01').status).toBe('NOT_ELIGIBLE');
  });

  it('the 2025-26 campaign does not reach into this season', () => {
    expect(flu(person('1950-01-01'), '2026-12-02').status).toBe('NOT_ELIGIBLE');
  });
});

// Autumn 2026 carries autumn 2025's eligibility forward: the same boundaries, a year on.
describe.each([2025, 2026])('COVID-19 autumn %i', (year) => {
  const autumn = (p: PersonInput, asOf: string) => campaign(p, asOf, `COVID19_AUTUMN_${year}`);
  const opening = `${year}-10-01`;
  it('75 by 31 January of the next year', () => {
    expect(ruleIds(autumn(person(`${year - 74}-01-31`), opening))).toEqual([`COVID-AUTUMN-${year}-75-PLUS`]);
    expect(autumn(person(`${year - 74}-02-01`), opening).eligible).toBe(false);
  });
  it('care-home residents, and the immunosuppressed from 6 months', () => {
    expect(ruleIds(autumn(person('1960-01-01', { flags: [flag('CARE_HOME_RESIDENT')] }), opening))).toEqual([
      `COVID-AUTUMN-${year}-CARE-HOME`,
    ]);
    const baby = (dob: string) => person(dob, { flags: [flag('IMMUNOSUPPRESSION', dob)] });
    expect(autumn(baby(`${year}-04-01`), opening).eligible).toBe(true);
    expect(autumn(baby(`${year}-04-02`), opening).eligible).toBe(false);
  });
  it('runs from 1 October to 31 January', () => {
    const p = person('1940-06-01');
    expect(autumn(p, `${year}-09-30`)).toMatchObject({ status: 'UPCOMING', eligibleFrom: opening });
    expect(autumn(p, `${year + 1}-01-31`).status).toBe('DUE');
    expect(autumn(p, `${year + 1}-02-01`).status).toBe('NOT_ELIGIBLE');
  });
});

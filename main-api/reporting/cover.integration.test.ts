// The COVER return on crafted cohorts, as real login roles: each antigen at 12 months, 24 months
// and 5 years; the 2025-26 changes switching measures by date of birth; the responsible
// population (registered with a practice in the authority, or not registered and living there);
// scope, suppression for analysts, the audit; and the children not counted, with what is missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { addUser } from '../administration/users.service';
import type { CoverNotCounted, CoverReturn } from '../contract/reporting';
import { resourcesDir } from '../platform/paths';
import { PRODUCT } from '../shared/vocabulary/products';
import { createTestDatabase, uniqueName, type TestDatabase } from '../../tests/support/db';
import { call, dropRoles, nhsSequence, userConnections, value, type UserConnections } from '../../tests/support/fixtures';
import { measureRows, parseCoverMeasures } from './cover-measures.rules';
import { createReportingHandlers } from './reporting.service';

const nhs = nhsSequence(999_640_000, 13);
const PASSWORD = 'cover-return-password';
const TODAY = '2026-12-03';
const MEDWAY = 'E06000035';
const KENT = 'E10000016';

// Region Y59 > ICB QKS > practices G82001 (in Medway) and G82002 (in Kent).
const TREE = `
INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES
  ('Y59', 'South East', 'REGION', NULL), ('QKS', 'Kent and Medway ICB', 'ICB', 'Y59'),
  ('G82001', 'Alpha Surgery', 'GP', 'QKS'), ('G82002', 'Beta Practice', 'GP', 'QKS');
INSERT INTO ims.local_authority (code, name, icb_code, region_code) VALUES
  ('${MEDWAY}', 'Medway', 'QKS', 'Y59'), ('${KENT}', 'Kent', 'QKS', 'Y59'), ('E07000106', 'Canterbury', 'QKS', 'Y59');
INSERT INTO ims.gp_practice (code, la_code) VALUES ('G82001', '${MEDWAY}'), ('G82002', '${KENT}');
INSERT INTO ims.postcode_sector (sector, district, area, la_code) VALUES ('CT1 1', 'CT1', 'CT', 'E07000106');
`;

interface Child {
  name: string;
  dob: string;
  practice: string | null;
  la?: string | null;
  postcode?: string;
  status?: 'REGISTERED' | 'UNREGISTERED' | 'DEREGISTERED';
  died?: string;
  /** [product, age in days] */
  doses?: [string, number][];
}

const W = 7;
const SIX = PRODUCT.INFANRIX_HEXA;
const INFANT_12M: [string, number][] = [
  [SIX, 8 * W],
  [SIX, 12 * W],
  [SIX, 16 * W],
  [PRODUCT.PREVENAR13, 16 * W],
  [PRODUCT.ROTARIX, 8 * W],
  [PRODUCT.ROTARIX, 12 * W],
  [PRODUCT.BEXSERO, 8 * W],
  [PRODUCT.BEXSERO, 12 * W],
];

// Children reaching a birthday in 2026-Q3 (July to September 2026), and one in 2026-Q2.
const CHILDREN: Child[] = [
  // 12 months (born July to September 2025).
  { name: 'Ada Complete', dob: '2025-08-10', practice: 'G82001', doses: INFANT_12M },
  {
    name: 'Ben Partial',
    dob: '2025-08-15',
    practice: 'G82001',
    doses: INFANT_12M.filter(([p], i) => p !== PRODUCT.PREVENAR13 && i !== 2),
  },
  // Third 6-in-1 dose after the first birthday: not in time.
  {
    name: 'Cal Late',
    dob: '2025-09-01',
    practice: 'G82002',
    doses: [
      [SIX, 8 * W],
      [SIX, 12 * W],
      [SIX, 370],
    ],
  },
  // Not registered, no authority on the register: placed in Canterbury by the postcode, so in
  // Kent, Canterbury's upper tier.
  { name: 'Hal Unplaced', dob: '2025-08-20', practice: null, la: null, postcode: 'CT1 1AA', status: 'UNREGISTERED' },
  // Not counted at all: died before the birthday; removed from the register.
  { name: 'Ivy Died', dob: '2025-07-10', practice: 'G82001', died: '2026-03-01' },
  { name: 'Jon Left', dob: '2025-07-11', practice: 'G82001', status: 'DEREGISTERED' },
  // 24 months (born July to September 2024): the new schedule (18-month visit, MMRV).
  {
    name: 'Dee Eighteen',
    dob: '2024-07-20',
    practice: 'G82001',
    doses: [
      ...INFANT_12M,
      [PRODUCT.PRIORIX, 370],
      [PRODUCT.PREVENAR13, 370],
      [PRODUCT.BEXSERO, 370],
      [SIX, 550],
      [PRODUCT.PRIORIX_TETRA, 550],
    ],
  },
  {
    name: 'Eve Noeighteen',
    dob: '2024-08-02',
    practice: 'G82002',
    doses: [...INFANT_12M, [PRODUCT.PRIORIX, 370], [PRODUCT.PREVENAR13, 370], [PRODUCT.BEXSERO, 370]],
  },
  // 5 years (born July to September 2021): the schedule before the changes.
  {
    name: 'Fay Five',
    dob: '2021-08-10',
    practice: 'G82001',
    doses: [
      [SIX, 8 * W],
      [SIX, 12 * W],
      [SIX, 16 * W],
      [PRODUCT.PRIORIX, 400],
      [PRODUCT.MENITORIX, 380],
      [PRODUCT.PRIORIX, 1250],
      [PRODUCT.BOOSTRIX_IPV, 1250],
    ],
  },
  // Not registered, living in Medway; MMR before the first birthday does not count.
  {
    name: 'Gus Early',
    dob: '2021-09-12',
    practice: null,
    la: MEDWAY,
    status: 'UNREGISTERED',
    doses: [
      [SIX, 8 * W],
      [SIX, 12 * W],
      [SIX, 16 * W],
      [PRODUCT.PRIORIX, 330],
      [PRODUCT.PRIORIX, 1250],
    ],
  },
  // Registered with a Kent practice, living in Medway: Kent's child.
  { name: 'Huw Crossborder', dob: '2021-07-05', practice: 'G82002', la: MEDWAY },
  // 24 months in 2026-Q2 (born April to June 2024): Hib/MenC booster, no 18-month visit.
  {
    name: 'Kit Older',
    dob: '2024-05-10',
    practice: 'G82001',
    doses: [...INFANT_12M, [PRODUCT.PRIORIX, 370], [PRODUCT.MENITORIX, 370], [PRODUCT.PREVENAR13, 370], [PRODUCT.BEXSERO, 370]],
  },
];

/** A return as { area code: { measure: "numerator/denominator" } }, for compact expectations. */
function figures(ret: CoverReturn): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const a of ret.areas) {
    const key = a.isTotal ? 'TOTAL' : (a.groupCode ?? 'NONE');
    out[key] = Object.fromEntries(
      a.figures.filter((f) => f.denominator !== 0).map((f) => [f.measureId, `${f.numerator ?? '*'}/${f.denominator ?? '*'}`]),
    );
  }
  return out;
}

describe('the COVER return', () => {
  let db: TestDatabase;
  let connections: UserConnections;
  const names = {
    admin: uniqueName('t_cover_admin'),
    nurse: uniqueName('t_cover_nurse'),
    analyst: uniqueName('t_cover_analyst'),
  };
  let admin: DataSource;
  let nurse: DataSource;
  let analyst: DataSource;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    db = await createTestDatabase();
    connections = userConnections(db);
    await db.query(TREE);
    let n = 0;
    for (const c of CHILDREN) {
      const [given, family] = c.name.split(' ');
      const r = await db.query<{ id: string }>(
        `INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, la_code, postcode,
                                 registration_status, date_of_death)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          nhs(++n),
          given,
          family,
          c.dob,
          c.practice,
          c.la === undefined ? (c.practice === 'G82002' ? KENT : MEDWAY) : c.la,
          c.postcode ?? null,
          c.status ?? 'REGISTERED',
          c.died ?? null,
        ],
      );
      const id = Number(r.rows[0]!.id);
      ids.set(c.name, id);
      for (const [product, days] of c.doses ?? []) {
        await db.query(
          `INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, primary_source, reported_by)
           VALUES ($1, 'ROUTINE_CHILDHOOD', 'GIVEN', $2::date + $3::integer, $4, false, 'GP')`,
          [id, c.dob, days, product],
        );
      }
    }
    await addUser(db.url, { name: names.admin, role: 'administrator', orgs: ['Y59'], password: PASSWORD });
    await addUser(db.url, { name: names.nurse, role: 'child-health', orgs: ['G82001'], password: PASSWORD });
    await addUser(db.url, { name: names.analyst, role: 'analyst', orgs: ['Y59'], password: PASSWORD });
    admin = await connections.open({ name: names.admin, password: PASSWORD });
    nurse = await connections.open({ name: names.nurse, password: PASSWORD });
    analyst = await connections.open({ name: names.analyst, password: PASSWORD });
  });

  afterAll(async () => {
    await connections?.closeAll();
    await db?.drop();
    await dropRoles(Object.values(names));
  });

  const handlers = (ds: DataSource) => createReportingHandlers(ds, () => TODAY);
  const cover = (ds: DataSource, quarter: string, by = 'local-authority') =>
    value<CoverReturn>(call(handlers(ds), 'cover.get', { quarter, by }));
  const notCounted = (ds: DataSource, input: Record<string, unknown>) =>
    value<CoverNotCounted>(call(handlers(ds), 'cover.notCounted', { quarter: '2026-Q3', by: 'local-authority', ...input }));

  it('holds in the database exactly the measures of the shipped definitions file', async () => {
    const parsed = parseCoverMeasures(readFileSync(join(resourcesDir(), 'coverage', 'cover-measures.json'), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const rows = await db.query<{ antigens: string[] }>(
      `SELECT id, label, antigens, doses, from_age_months AS "fromAgeMonths", by_age_months AS "byAgeMonths",
              to_char(born_from, 'YYYY-MM-DD') AS "bornFrom", to_char(born_to, 'YYYY-MM-DD') AS "bornTo", sort_order AS "sortOrder"
       FROM ims.cover_measure ORDER BY sort_order`,
    );
    expect(rows.rows).toEqual(measureRows(parsed.file));
    const antigens = new Set((await db.query<{ code: string }>('SELECT code FROM ims.antigen')).rows.map((r) => r.code));
    expect(rows.rows.flatMap((r) => r.antigens).filter((a) => !antigens.has(a))).toEqual([]);
  });

  it('counts each antigen at 12 months, 24 months and 5 years by responsible authority', async () => {
    const ret = await cover(admin, '2026-Q3');
    expect(ret).toMatchObject({ quarter: '2026-Q3', from: '2026-07-01', to: '2026-09-30', complete: true, exact: true, target: 95 });
    expect(figures(ret)).toEqual({
      // Registered with Alpha (Ada, Ben, Dee, Fay), and Gus who is not registered but lives here.
      [MEDWAY]: {
        '12M_DTAPIPVHIBHEPB3': '1/2',
        '12M_PCV1': '1/2',
        '12M_ROTA2': '2/2',
        '12M_MENB2': '2/2',
        '24M_DTAPIPVHIBHEPB3': '1/1',
        '24M_DTAPIPVHIBHEPB4': '1/1',
        '24M_MMR1': '1/1',
        '24M_MMR2': '1/1',
        '24M_VAR1': '1/1',
        '24M_PCVB': '1/1',
        '24M_MENBB': '1/1',
        '5Y_DTAPIPVHIB3': '2/2',
        '5Y_MMR1': '2/2',
        '5Y_MMR2': '1/2',
        '5Y_DTAPIPV_PRESCHOOL': '1/2',
        '5Y_HIBMENC': '1/2',
      },
      // Registered with Beta (Cal, Eve, and Huw who lives in Medway), and Hal placed by postcode in a Kent district.
      [KENT]: {
        '12M_DTAPIPVHIBHEPB3': '0/2',
        '12M_PCV1': '0/2',
        '12M_ROTA2': '0/2',
        '12M_MENB2': '0/2',
        '24M_DTAPIPVHIBHEPB3': '1/1',
        '24M_DTAPIPVHIBHEPB4': '0/1',
        '24M_MMR1': '1/1',
        '24M_MMR2': '0/1',
        '24M_VAR1': '0/1',
        '24M_PCVB': '1/1',
        '24M_MENBB': '1/1',
        '5Y_DTAPIPVHIB3': '0/1',
        '5Y_MMR1': '0/1',
        '5Y_MMR2': '0/1',
        '5Y_DTAPIPV_PRESCHOOL': '0/1',
        '5Y_HIBMENC': '0/1',
      },
      TOTAL: {
        '12M_DTAPIPVHIBHEPB3': '1/4',
        '12M_PCV1': '1/4',
        '12M_ROTA2': '2/4',
        '12M_MENB2': '2/4',
        '24M_DTAPIPVHIBHEPB3': '2/2',
        '24M_DTAPIPVHIBHEPB4': '1/2',
        '24M_MMR1': '2/2',
        '24M_MMR2': '1/2',
        '24M_VAR1': '1/2',
        '24M_PCVB': '2/2',
        '24M_MENBB': '2/2',
        '5Y_DTAPIPVHIB3': '2/3',
        '5Y_MMR1': '2/3',
        '5Y_MMR2': '1/3',
        '5Y_DTAPIPV_PRESCHOOL': '1/3',
        '5Y_HIBMENC': '1/3',
      },
    });
    expect(ret.areas.map((a) => a.groupName)).toEqual(['Kent', 'Medway', 'All in your scope']);
    const medway = ret.areas.find((a) => a.groupCode === MEDWAY)!;
    expect(medway.figures.find((f) => f.measureId === '5Y_MMR2')!.percent).toBe(50);
    expect(ret.areas.at(-1)!.figures.find((f) => f.measureId === '12M_DTAPIPVHIBHEPB3')!.percent).toBe(25);
  });

  it('switches measures by date of birth: the Hib/MenC booster before July 2024, the 18-month visit after', async () => {
    const q3 = await cover(admin, '2026-Q3');
    const q2 = await cover(admin, '2026-Q2');
    const ids24 = (r: CoverReturn) => r.measures.filter((m) => m.byAgeMonths === 24).map((m) => m.id);
    expect(ids24(q3)).toEqual(['24M_DTAPIPVHIBHEPB3', '24M_DTAPIPVHIBHEPB4', '24M_MMR1', '24M_MMR2', '24M_VAR1', '24M_PCVB', '24M_MENBB']);
    expect(ids24(q2)).toEqual(['24M_DTAPIPVHIBHEPB3', '24M_MMR1', '24M_HIBMENC', '24M_PCVB', '24M_MENBB']);
    // Kit, born May 2024: counted against the Hib/MenC booster and never asked for an 18-month dose.
    expect(figures(q2)[MEDWAY]).toEqual({
      '24M_DTAPIPVHIBHEPB3': '1/1',
      '24M_MMR1': '1/1',
      '24M_HIBMENC': '1/1',
      '24M_PCVB': '1/1',
      '24M_MENBB': '1/1',
    });
  });

  it('by practice: registered children at their practice, the others in a row of their own', async () => {
    const ret = await cover(admin, '2026-Q3', 'practice');
    expect(ret.areas.map((a) => [a.groupCode, a.groupName])).toEqual([
      ['G82001', 'Alpha Surgery'],
      ['G82002', 'Beta Practice'],
      [null, 'Not registered with a practice'],
      [null, 'All in your scope'],
    ]);
    const f = figures(ret);
    expect(f.G82001!['5Y_MMR2']).toBe('1/1');
    expect(f.G82002!['12M_DTAPIPVHIBHEPB3']).toBe('0/1');
    expect(f.NONE).toMatchObject({ '12M_DTAPIPVHIBHEPB3': '0/1', '5Y_MMR2': '0/1', '5Y_MMR1': '1/1' });
  });

  it('lists the children not counted, with what is missing, as an audited look at each record', async () => {
    const kent = await notCounted(admin, { groupCode: KENT, measureId: '24M_MMR2' });
    expect(kent.total).toBe(1);
    expect(kent.children[0]).toMatchObject({
      familyName: 'Noeighteen',
      ageMonths: 24,
      practiceCode: 'G82002',
      missing: [
        { measureId: '24M_DTAPIPVHIBHEPB4', label: 'DTaP/IPV/Hib/HepB (6-in-1), 4 doses (18-month booster)', had: 3, needed: 4 },
        { measureId: '24M_MMR2', label: 'MMR (or MMRV), 2 doses', had: 1, needed: 2 },
        { measureId: '24M_VAR1', label: 'Varicella (MMRV), 1 dose', had: 0, needed: 1 },
      ],
    });
    const medway = await notCounted(admin, { groupCode: MEDWAY });
    expect(medway.children.map((c) => c.familyName)).toEqual(['Early', 'Partial']);
    expect(medway.children[0]!.missing.map((m) => `${m.measureId} ${m.had}/${m.needed}`)).toEqual([
      '5Y_MMR2 1/2',
      '5Y_DTAPIPV_PRESCHOOL 0/1',
      '5Y_HIBMENC 0/1',
    ]);
    const unregistered = await notCounted(admin, { by: 'practice', noGroup: true });
    expect(unregistered.children.map((c) => c.familyName).sort()).toEqual(['Early', 'Unplaced']);
    const fiveYearOlds = await notCounted(admin, { by: 'practice', noGroup: true, ageMonths: 60 });
    expect(fiveYearOlds.children.map((c) => c.familyName)).toEqual(['Early']);
    const views = await db.query<{ person_id: string; purpose: string }>(
      `SELECT person_id, purpose FROM audit.record_view WHERE actor = $1 ORDER BY id`,
      [names.admin],
    );
    expect(views.rows.map((v) => Number(v.person_id))).toContain(ids.get('Eve Noeighteen'));
    expect(new Set(views.rows.map((v) => v.purpose))).toEqual(new Set(['COVER return: children not counted']));
    const runs = await db.query(`SELECT report, parameters FROM audit.report_run WHERE actor = $1`, [names.admin]);
    expect(runs.rows).toContainEqual({ report: 'COVER', parameters: { quarterFrom: '2026-07-01', by: 'local-authority' } });
  });

  it('keeps to the caller’s scope: a practice nurse sees her practice’s children and no one else’s', async () => {
    const ret = await cover(nurse, '2026-Q3', 'practice');
    expect(ret.areas.map((a) => a.groupCode ?? a.groupName)).toEqual(['G82001', 'All in your scope']);
    expect(figures(ret).TOTAL!['12M_DTAPIPVHIBHEPB3']).toBe('1/2');
    expect(await notCounted(nurse, { by: 'practice', groupCode: 'G82002' })).toEqual({ total: 0, children: [] });
    const mine = await notCounted(nurse, { by: 'practice', groupCode: 'G82001' });
    expect(mine.children.map((c) => c.familyName)).toEqual(['Partial']);
  });

  it('gives an analyst suppressed figures and refuses the children behind them', async () => {
    const ret = await cover(analyst, '2026-Q3');
    expect(ret.exact).toBe(false);
    // Every count here is 1 to 7: hidden.
    expect(ret.areas.find((a) => a.groupCode === MEDWAY)!.figures[0]).toEqual({
      measureId: '12M_DTAPIPVHIBHEPB3',
      denominator: null,
      numerator: null,
      percent: null,
    });
    const refused = await call(handlers(analyst), 'cover.notCounted', { quarter: '2026-Q3', by: 'local-authority' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('FORBIDDEN');
    const views = await db.query(`SELECT 1 FROM audit.record_view WHERE actor = $1`, [names.analyst]);
    expect(views.rowCount).toBe(0);
  });

  it('refuses a quarter that has not started, naming the field', async () => {
    const r = await call(handlers(admin), 'cover.get', { quarter: '2027-Q1', by: 'practice' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'VALIDATION', details: { kind: 'fields', fields: [{ field: 'quarter' }] } });
    const bad = await call(handlers(admin), 'cover.get', { quarter: '2026-Q5', by: 'practice' });
    expect(bad.ok).toBe(false);
  });

  it('exports one row per area with denominator, numerator and percentage per measure', async () => {
    const out = await value<{ fileName: string; csv: string; rows: number }>(
      call(handlers(admin), 'cover.export', { quarter: '2026-Q3', by: 'local-authority' }),
    );
    expect(out.fileName).toBe('COVER_2026-Q3_local-authority.csv');
    const lines = out.csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    const header = lines[0]!.split(',');
    expect(header.slice(0, 9)).toEqual([
      'Quarter',
      'Period start',
      'Period end',
      'Area type',
      'Area code',
      'Area name',
      '12M_DTAPIPVHIBHEPB3 denominator',
      '12M_DTAPIPVHIBHEPB3 numerator',
      '12M_DTAPIPVHIBHEPB3 %',
    ]);
    const medway = lines.find((l) => l.includes(MEDWAY))!.split(',');
    expect(medway.slice(0, 9)).toEqual(['2026-Q3', '2026-07-01', '2026-09-30', 'Local authority', MEDWAY, 'Medway', '2', '1', '50.0']);
    expect(lines[3]!.startsWith('2026-Q3,2026-07-01,2026-09-30,Total,,All in your scope,4,1,25.0')).toBe(true);
  });
});

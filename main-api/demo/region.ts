// The demo region's reference data (resources/reference/demo-region.json and demo-names.json)
// and how it is written to the database: idempotently, so a database that already holds the
// same organisations and geography keeps them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DbClient } from '../platform/db/database';
import { resourcesDir } from '../platform/paths';
import type { OrganisationType, SchoolPhase } from '../shared/vocabulary/organisations';
import type { StaffGroup } from '../shared/vocabulary/people';

export interface DemoRegion {
  region: { code: string; name: string };
  icb: { code: string; name: string };
  localAuthorities: { code: string; name: string; population: number }[];
  pcns: { code: string; name: string; laCodes: string[] }[];
  practices: { code: string; name: string; pcnCode: string; laCode: string; address: string; postcode: string; phone: string }[];
  postcodeSectors: { sector: string; district: string; area: string; laCode: string; town: string }[];
  lsoas: { code: string; name: string; laCode: string; sector: string; imdRank: number; imdDecile: number }[];
  schools: { urn: string; name: string; phase: SchoolPhase; laCode: string | null; postcode: string | null }[];
  careHomes: { code: string; name: string; laCode: string; lsoaCode: string; postcode: string; beds: number }[];
  employers: {
    code: string;
    name: string;
    orgType: Extract<OrganisationType, 'TRUST' | 'LA' | 'EMPLOYER'>;
    kind: string;
    weight: number;
    postcode: string;
  }[];
  employerKinds: Record<string, { departments: string[]; staffGroups: Partial<Record<StaffGroup, number>> }>;
  staffGroups: Record<StaffGroup, { frontline: number; roles: string[] }>;
  streets: string[];
}

export interface DemoNames {
  female: string[];
  male: string[];
  family: string[];
  emailDomains: string[];
}

export function readDemoRegion(dir: string = join(resourcesDir(), 'reference')): { region: DemoRegion; names: DemoNames } {
  const region = JSON.parse(readFileSync(join(dir, 'demo-region.json'), 'utf8')) as DemoRegion;
  const names = JSON.parse(readFileSync(join(dir, 'demo-names.json'), 'utf8')) as DemoNames;
  return { region, names };
}

export interface ReferenceCounts {
  organisation: number;
  gp_practice: number;
  local_authority: number;
  lsoa: number;
  postcode_sector: number;
  school: number;
}

/** The reference tables' columns; the tables are filled in this order. */
const REFERENCE_COLUMNS: Record<keyof ReferenceCounts, string[]> = {
  organisation: ['code', 'name', 'org_type', 'parent_code', 'postcode'],
  gp_practice: ['code', 'address', 'postcode', 'phone', 'la_code'],
  local_authority: ['code', 'name', 'icb_code', 'region_code'],
  lsoa: ['code', 'name', 'la_code', 'imd_rank', 'imd_decile'],
  postcode_sector: ['sector', 'district', 'area', 'la_code'],
  school: ['urn', 'name', 'phase', 'la_code', 'postcode'],
};

/** Builds a multi-row INSERT ... ON CONFLICT DO NOTHING with positional parameters. */
async function insertRows(client: DbClient, table: string, columns: string[], rows: unknown[][]): Promise<number> {
  let inserted = 0;
  // Stay well under the 65,535 bind-parameter limit.
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const slice = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = slice.map(
      (row) =>
        `(${row
          .map((v) => {
            params.push(v);
            return `$${params.length}`;
          })
          .join(', ')})`,
    );
    const res = await client.query(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
      params,
    );
    inserted += res.rowCount ?? 0;
  }
  return inserted;
}

/** Inserts the region's reference rows that are missing; returns how many were new. */
export async function insertReferenceData(client: DbClient, region: DemoRegion): Promise<ReferenceCounts> {
  const icb = region.icb.code;
  const orgs: unknown[][] = [
    [region.region.code, region.region.name, 'REGION', null, null],
    [icb, region.icb.name, 'ICB', region.region.code, null],
    ...region.pcns.map((p) => [p.code, p.name, 'PCN', icb, null]),
    ...region.practices.map((p) => [p.code, p.name, 'GP', p.pcnCode, p.postcode]),
    ...region.employers.map((e) => [e.code, e.name, e.orgType, icb, e.postcode]),
    ...region.careHomes.map((c) => [c.code, c.name, 'CARE_HOME', icb, c.postcode]),
  ];
  const rows: Record<keyof ReferenceCounts, unknown[][]> = {
    organisation: orgs,
    gp_practice: region.practices.map((p) => [p.code, p.address, p.postcode, p.phone, p.laCode]),
    local_authority: region.localAuthorities.map((la) => [la.code, la.name, icb, region.region.code]),
    lsoa: region.lsoas.map((l) => [l.code, l.name, l.laCode, l.imdRank, l.imdDecile]),
    postcode_sector: region.postcodeSectors.map((s) => [s.sector, s.district, s.area, s.laCode]),
    school: region.schools.map((s) => [s.urn, s.name, s.phase, s.laCode, s.postcode]),
  };
  const counts: Partial<ReferenceCounts> = {};
  for (const [table, columns] of Object.entries(REFERENCE_COLUMNS) as [keyof ReferenceCounts, string[]][]) {
    counts[table] = await insertRows(client, `ims.${table}`, columns, rows[table]);
  }
  return counts as ReferenceCounts;
}

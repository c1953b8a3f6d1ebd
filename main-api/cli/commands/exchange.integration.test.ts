// `ims import fhir` and `ims export ...` against a database, as the schema owner (the command
// line's role): a FHIR file is imported, then the batch file and the GP update are written once,
// and a second run finds nothing new.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, immunization } from '../../exchange/exchange.fixtures';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import type { CliContext } from '../context';
import { registerExchangeCommands } from './exchange';
import { registerImportCommands } from './import';

describe('ims import fhir / ims export', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ims-exchange-cli-'));
  const out: string[] = [];

  async function ims(...args: string[]): Promise<string> {
    out.length = 0;
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerExchangeCommands(program, ctx);
    registerImportCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out.join('\n');
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    await db.query(
      `INSERT INTO ims.organisation (code, name, org_type, parent_code) VALUES ('FA123', 'High Street Pharmacy', 'EMPLOYER', 'QKS')`,
    );
    await db.query(`INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code, postcode, gender_code)
                    VALUES ('9990000018', 'Sarah', 'Taylor', '2020-02-28', 'G82001', 'ME14 1XX', '2')`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('imports a file, then writes each export once', async () => {
    const file = join(dir, 'in.json');
    writeFileSync(
      file,
      JSON.stringify(bundle([immunization({ id: 'cli-1' }), immunization({ id: 'cli-2', nhsNumber: null, given: 'Sara' })])),
    );
    expect(await ims('import', 'fhir', file)).toMatch(
      /^Bundle\.entry\[0\]\.resource \(cli-1\): CREATED\nBundle\.entry\[1\]\.resource \(cli-2\): REVIEW: No NHS number/,
    );

    const gp = join(dir, 'gp');
    expect(await ims('export', 'gp-updates', '--out', gp)).toMatch(
      /GPUPDATE_Vaccinations_v5_G82001_\d{8}T\d{8}\.csv: 1 rows \(1 new, 0 updated, 0 deleted\)/,
    );
    expect(await ims('export', 'gp-updates', '--out', gp)).toBe('Nothing new to send.');
    expect(readdirSync(gp)).toHaveLength(1);

    // Onward submission carries only the doses the organisation gave itself, not those reported to it.
    const v5 = join(dir, 'v5');
    expect(await ims('export', 'vaccination-batch', '--ods', 'FA123', '--out', v5)).toBe('Nothing new to send.');
    await db.query(`INSERT INTO ims.vaccination_event (person_id, programme_code, outcome, occurred_on, product_code, dose_sequence,
                      primary_source, batch_number, expiry_date, organisation_code, source_id)
                    SELECT id, 'ROUTINE_CHILDHOOD', 'GIVEN', '2024-03-01', '13968211000001108', 2, true, 'OWN1', '2025-01-01', 'G82001', 'own-1'
                    FROM ims.person`);
    expect(await ims('export', 'vaccination-batch', '--ods', 'G82001', '--out', v5)).toMatch(/MMR_Vaccinations_v5_G82001_.*: 1 rows/);
    const [name] = readdirSync(v5);
    expect(readFileSync(join(v5, name!), 'utf8')).toContain('"own-1"|"urn:ims:vaccination-event"|"NEW"');
    expect(await ims('export', 'vaccination-batch', '--ods', 'g82001', '--out', v5)).toBe('Nothing new to send.');

    const fhir = join(dir, 'period.json');
    await ims('export', 'fhir', '--org', 'FA123', '--from', '2021-01-01', '--to', '2021-12-31', '--out', fhir);
    const b = JSON.parse(readFileSync(fhir, 'utf8'));
    expect(b.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient', 'Immunization']);
  });

  it('refuses a malformed ODS code before touching the database', async () => {
    await expect(ims('export', 'vaccination-batch', '--ods', 'not an ods!')).rejects.toThrow(/--ods/);
  });
});

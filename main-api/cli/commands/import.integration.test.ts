// `ims import` through commander against a real database, as a scheduled task runs it: the exit
// code says what became of the file, the rejected rows can be written out, and the history
// lists every run.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FEED_KIND_DEFINITIONS } from '../../feeds';
import { resourcesDir } from '../../platform/paths';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { nhsSequence, TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import type { CliContext } from '../context';
import { registerImportCommands } from './import';

const nhs = nhsSequence(999_830_000, 7);
const HEADER = FEED_KIND_DEFINITIONS['demographics-full'].columns.join('|');
const row = (n: string, gender = '1') => `${n}|Cli|Import||2001-02-03|${gender}|ME14 1AA|1 Road|||Town|G82001||`;

describe('ims import', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'ims-import-cli-'));

  async function ims(...args: string[]): Promise<{ out: string[]; code: number }> {
    const out: string[] = [];
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerImportCommands(program, ctx);
    process.exitCode = 0;
    await program.parseAsync(['node', 'ims', ...args]);
    return { out, code: Number(process.exitCode ?? 0) };
  }
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
  });
  afterEach(() => {
    process.exitCode = 0;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('exits 0 when applied, and again (changing nothing) for the same file', async () => {
    const path = file('full.txt', [HEADER, row(nhs(1)), row(nhs(2))].join('\n'));
    const first = await ims('import', 'demographics-full', path);
    expect(first.code).toBe(0);
    expect(first.out.join('\n')).toMatch(/Applied\.\n2 rows: 2 applied, 0 rejected\.\nChanges: added 2, updated 0, unchanged 0\./);
    const again = await ims('import', 'demographics-full', path);
    expect(again.code).toBe(0);
    expect(again.out.join('\n')).toMatch(/Already applied: nothing changed/);
  });

  it('exits 3 for a refused file, 4 over the threshold, and writes the rejected rows', async () => {
    const refused = await ims('import', 'demographics-full', file('bad-header.txt', `nhs|name\n${row(nhs(3))}`));
    expect(refused.code).toBe(3);
    expect(refused.out.join('\n')).toMatch(/File refused[\s\S]*Column 1 of the header is "nhs"/);
    const rejects = join(dir, 'rejects.csv');
    const over = await ims(
      'import',
      'demographics-full',
      file('over.txt', [HEADER, row(nhs(4)), row(nhs(5), 'X')].join('\n')),
      '--max-rejects',
      '10',
      '--rejects',
      rejects,
    );
    expect(over.code).toBe(4);
    expect(readFileSync(rejects, 'utf8')).toBe('row,field,reason\r\n2,gender,"Unknown gender code X: use 0, 1, 2 or 9."\r\n');
  });

  it('refuses an unknown kind or a missing file as a wrong command line', async () => {
    await expect(ims('import', 'demographics-weekly', join(dir, 'x.txt'))).rejects.toThrow(/no file kind demographics-weekly/);
    await expect(ims('import', 'demographics-full', join(dir, 'missing.txt'))).rejects.toThrow(/Cannot read/);
  });

  it('lists the history, newest first', async () => {
    const { out } = await ims('import', 'history');
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(/\tdemographics-full\tover\.txt\tRefused: too many rows rejected\t/);
    expect(lines.some((l) => /full\.txt\tApplied\t/.test(l))).toBe(true);
  });

  it('writes the acknowledgements of a vaccination batch file with --ack-dir', async () => {
    const header = FEED_KIND_DEFINITIONS['vaccination-batch-v5'].header!.join('|');
    const cells = Array<string>(34).fill('');
    cells[9] = 'CLI-1';
    cells[10] = 'https://supplier.example/ids';
    cells[11] = 'NEW';
    const path = file('HPV_Vaccinations_v5_G82001_20261130T10000000.csv', `${header}\n${cells.join('|')}\n`);
    const acks = join(dir, 'acks');
    const result = await ims('import', 'vaccination-batch-v5', path, '--ack-dir', acks);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toMatch(/1 rows: 0 applied, 1 rejected\.[\s\S]*Acknowledgement written to .*_BusAck_/);
    const names = readdirSync(acks).sort();
    expect(names).toHaveLength(3);
    const busName = names.find((n) => n.includes('_BusAck_'))!;
    const bus = readFileSync(join(acks, busName), 'utf8').split('\r\n');
    expect(bus[1]).toMatch(/^IMS-IMPORT-\d+\^1\|Fatal Error\|.*\|CLI-1\^https:\/\/supplier\.example\/ids\|\|.*NHS_NUMBER: No NHS number/);
    await expect(ims('import', 'demographics-full', path, '--ack-dir', acks)).rejects.toThrow(/--ack-dir is for vaccination-batch-v5/);
  });

  it('imports the shipped synthetic reference geography, as the owner', async () => {
    await db.query(`INSERT INTO ims.local_authority (code, name) VALUES ('E06000035', 'Medway')`);
    const set = join(resourcesDir(), 'reference', 'geography');
    const imd = await ims('import', 'imd-lsoa', join(set, 'IoD2025_demo_File_1.csv'));
    expect(imd.code).toBe(0);
    expect(imd.out.join('\n')).toMatch(/Applied\.\n310 rows: 310 applied, 0 rejected\./);
    const onspd = await ims('import', 'onspd-postcodes', join(set, 'ONSPD_DEMO_UK.csv'));
    expect(onspd.code).toBe(0);
    const medway = await db.query(`SELECT count(*)::int AS n FROM ims.postcode_lookup WHERE la_code = 'E06000035'`);
    expect(medway.rows[0]!.n).toBeGreaterThan(0);
  });
});

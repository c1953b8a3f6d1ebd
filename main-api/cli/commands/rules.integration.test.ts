// `ims rules` against a database, as the schema owner (the command line's role): a preview
// stores nothing, an import stores a version, list shows it, activate puts it in force.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../platform/paths';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db';
import { TWO_PRACTICES_SQL } from '../../../tests/support/fixtures';
import type { CliContext } from '../context';
import { registerRulesCommands } from './rules';

describe('ims rules', () => {
  let db: TestDatabase;
  let file: string;
  const out: string[] = [];

  async function ims(...args: string[]): Promise<string> {
    out.length = 0;
    const ctx = { print: (t: string) => out.push(t), ownerUrl: async () => db.url } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerRulesCommands(program, ctx);
    await program.parseAsync(['node', 'ims', ...args]);
    return out.join('\n');
  }
  const count = async () => Number((await db.query(`SELECT count(*) AS n FROM ims.rule_file_version`)).rows[0]!.n);

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(TWO_PRACTICES_SQL);
    await db.query(`INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, practice_code)
                    VALUES ('9990000018', 'Cli', 'Rules', '1950-01-01', 'G82001')`);
    const json = JSON.parse(readFileSync(join(resourcesDir(), 'schedule', 'covid-19-autumn-2026.json'), 'utf8')) as { version: string };
    json.version = '2026-cli';
    file = join(mkdtempSync(join(tmpdir(), 'ims-rules-cli-')), 'covid.json');
    writeFileSync(file, JSON.stringify(json, null, 2));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('previews without storing, imports, lists and activates', async () => {
    expect(await ims('rules', 'import', file, '--preview-only')).toMatch(/nothing stored \(--preview-only\)[\s\S]*can be affected/);
    expect(await count()).toBe(0);
    expect(await ims('rules', 'list')).toMatch(/^No rule files have been imported/);

    expect(await ims('rules', 'import', file, '--effective', '2030-01-01')).toMatch(
      /^Imported campaign COVID19_AUTUMN_2026 v2026-cli .* as version 1, previewed, effective from 2030-01-01\.[\s\S]*ims rules activate 1$/,
    );
    expect(await ims('rules', 'import', file)).toMatch(
      /is already version 1 \(previewed, effective from \d{4}-\d{2}-\d{2}\); nothing new was stored/,
    );
    expect(await count()).toBe(1);
    expect(await ims('rules', 'list')).toMatch(
      /^1\tPreviewed, not in use\tcampaign COVID19_AUTUMN_2026 v2026-cli\tfrom \d{4}-\d{2}-\d{2}\timported by /,
    );

    expect(await ims('rules', 'activate', '1')).toMatch(/^Version 1 is active from .*; .*queued/);
    // The database's refusals, as ims prints them (exit code 1).
    await expect(ims('rules', 'activate', '1')).rejects.toThrow(
      'Rule file version 1 is active; only a previewed version can be activated.',
    );
    await expect(ims('rules', 'activate', '99')).rejects.toThrow('There is no rule file version 99.');
    await expect(ims('rules', 'activate', 'x')).rejects.toMatchObject({ code: 'VALIDATION', message: 'x is not a version number.' });
    // The import; the re-import without --effective moving the previewed version to today; the
    // activation; the note that its people were queued.
    const audit = await db.query(
      `SELECT operation, new_row ->> 'effective_from' AS eff, new_row ->> 'status' AS status, new_row ->> 'queued_on' IS NOT NULL AS queued
       FROM audit.change_log WHERE table_name = 'ims.rule_file_version' ORDER BY id`,
    );
    expect(audit.rows.map((r) => [r.operation, r.eff === '2030-01-01', r.status, r.queued])).toEqual([
      ['INSERT', true, 'previewed', false],
      ['UPDATE', false, 'previewed', false],
      ['UPDATE', false, 'active', false],
      ['UPDATE', false, 'active', true],
    ]);
  });
});

// `ims rules import` on a bad file: every field at fault, exit code 2, and no database reached
// (the file is checked first). The import itself is tested against a database in
// main-api/rules/rule-files.integration.test.ts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../context';
import { registerRulesCommands } from './rules';

const ROOT = join(__dirname, '../../..');

function badFile(): string {
  const json = JSON.parse(readFileSync(join(ROOT, 'resources/schedule/flu-2026-27.json'), 'utf8')) as Record<string, unknown> & {
    criteria: { age?: Record<string, unknown> }[];
  };
  json.endDate = '2027-02-30';
  json.criteria[1]!.age!.below = 'four years';
  const file = join(mkdtempSync(join(tmpdir(), 'ims-rules-')), 'bad.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('ims rules import', () => {
  it('names every field at fault without reaching the database', async () => {
    const ctx = {
      print: () => {},
      ownerUrl: () => Promise.reject(new Error('the database must not be reached')),
    } as unknown as CliContext;
    const program = new Command('ims').exitOverride();
    registerRulesCommands(program, ctx);
    await expect(program.parseAsync(['node', 'ims', 'rules', 'import', badFile(), '--preview-only'])).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/endDate: Use a real date written YYYY-MM-DD\n {2}criteria\[1\]\.age\.below: /),
    });
  });

  it('exits with code 2 and every error on stderr, from the real command', async () => {
    const run = promisify(execFile);
    const failed = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'main-api/cli/ims.ts'), 'rules', 'import', badFile()], {
      cwd: ROOT,
    }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stdout).toBe('');
    const lines = failed?.stderr.split('\n') ?? [];
    expect(lines[0]).toMatch(/bad\.json: The rule file has 2 mistakes; nothing was stored\.$/);
    expect(lines.slice(1, 3)).toEqual([
      '  endDate: Use a real date written YYYY-MM-DD',
      expect.stringMatching(/^ {2}criteria\[1\]\.age\.below: /),
    ]);
  }, 30_000);
});

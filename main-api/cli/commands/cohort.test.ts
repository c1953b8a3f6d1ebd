// `ims cohort describe`: the description of a good file, the normalised definition as JSON, and
// for a bad file every field at fault on stderr with exit code 2.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../context';
import { registerCohortCommands } from './cohort';

const ROOT = join(__dirname, '../../..');
const EXAMPLE = join(ROOT, 'resources/cohorts/flu-2026-27-65-and-at-risk.json');

async function ims(...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const ctx = { print: (t: string) => out.push(t) } as unknown as CliContext;
  const program = new Command('ims').exitOverride();
  registerCohortCommands(program, ctx);
  await program.parseAsync(['node', 'ims', ...args]);
  return out;
}

function badFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ims-cohort-')), 'bad.json');
  const criteria = { any: [{ age: { min: 65 } }, { all: [{ age: { min: 'x' } }, { practice: ["G1'; DROP TABLE ims.person; --"] }] }] };
  writeFileSync(file, JSON.stringify({ format: 1, name: 'Bad', referenceDate: '2027-02-29', criteria }));
  return file;
}

describe('ims cohort describe', () => {
  it('says who a definition means', async () => {
    expect(await ims('cohort', 'describe', EXAMPLE)).toEqual([
      expect.stringMatching(
        /^People aged 65 or over on 31 March 2027, or \(aged 18 to 64 and with an active risk group flag\), not already vaccinated in Flu 2026 to 2027\./,
      ),
    ]);
  });

  it('prints the definition with its defaults, and the description, with --json', async () => {
    const [json] = await ims('cohort', 'describe', EXAMPLE, '--json');
    const parsed = JSON.parse(json!) as { definition: { exclusions: Record<string, unknown>; criteria: unknown }; description: string };
    expect(parsed.definition.exclusions).toMatchObject({ alreadyVaccinated: true, deceased: true, invitedWithinDays: 0 });
    expect(parsed.definition.criteria).toMatchObject({ any: [{ age: { unit: 'years', min: 65 } }, {}] });
    expect(parsed.description).toMatch(/^People aged 65 or over/);
  });

  it('names every field at fault', async () => {
    await expect(ims('cohort', 'describe', badFile())).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('criteria.any[1].all[0].age.min: Invalid input: expected number, received string'),
    });
    await expect(ims('cohort', 'describe', join(tmpdir(), 'no-such-cohort.json'))).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^Cannot read .*no-such-cohort\.json: ENOENT$/),
    });
  });

  it('exits with code 2 and the errors on stderr, from the real command', async () => {
    const run = promisify(execFile);
    const failed = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'main-api/cli/ims.ts'), 'cohort', 'describe', badFile()], {
      cwd: ROOT,
    }).then(
      () => null,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stdout).toBe('');
    expect(failed?.stderr.split('\n').slice(1, 4)).toEqual([
      '  referenceDate: Use a real date written YYYY-MM-DD',
      '  criteria.any[1].all[0].age.min: Invalid input: expected number, received string',
      '  criteria.any[1].all[1].practice[0]: Not a GP practice code (3 to 8 capital letters or digits)',
    ]);
  }, 30_000);
});

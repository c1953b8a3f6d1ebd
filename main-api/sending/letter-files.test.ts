// The sender reads a precompiled letter where production writes it: the letters folder itself
// or a run folder inside it, by the communication's reference.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { letterReader } from './letter-files';

const REF = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('precompiled letter files', () => {
  const dirs: string[] = [];
  const folder = () => {
    const d = mkdtempSync(join(tmpdir(), 'ims-letter-files-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('finds a letter in a production run folder, by its reference', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'FLU-2026-run7'));
    writeFileSync(join(dir, 'FLU-2026-run7', `${REF}.pdf`), '%PDF-run7');
    expect((await letterReader(dir)(REF))?.toString()).toBe('%PDF-run7');
  });

  it('prefers a letter in the folder itself, then the newest run', async () => {
    const dir = folder();
    for (const run of ['FLU-run2', 'FLU-run10']) {
      mkdirSync(join(dir, run));
      writeFileSync(join(dir, run, `${REF}.pdf`), `%PDF-${run}`);
    }
    expect((await letterReader(dir)(REF))?.toString()).toBe('%PDF-FLU-run10');
    writeFileSync(join(dir, `${REF}.pdf`), '%PDF-top');
    expect((await letterReader(dir)(REF))?.toString()).toBe('%PDF-top');
  });

  it('answers null until the letter exists, and for a missing folder or a reference that is not one', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'FLU-run1'));
    writeFileSync(join(dir, 'FLU-run1', 'other.pdf'), '%PDF');
    expect(await letterReader(dir)(REF)).toBeNull();
    expect(await letterReader(join(dir, 'absent'))(REF)).toBeNull();
    writeFileSync(join(dir, 'FLU-run1', `${REF}.pdf`), '%PDF');
    expect(await letterReader(dir)('../FLU-run1/x')).toBeNull();
    expect(await letterReader(dir)(REF.toUpperCase())).toBeNull();
  });
});

// Where the sender finds a precompiled letter: the PDF letter production made for the
// communication, named by its reference. Production writes a run's letters into the run's own
// folder (`<campaign>-run<id>/<reference>.pdf`) under the letters folder, so the reader looks in
// the letters folder itself (letters put there by hand) and then in each run folder inside it.
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function readIfThere(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** Reads `<reference>.pdf` from the folder or one of its run folders; null until it exists. */
export function letterReader(dir: string): (reference: string) => Promise<Buffer | null> {
  return async (reference) => {
    if (!REFERENCE.test(reference)) return null;
    const name = `${reference}.pdf`;
    const here = await readIfThere(join(dir, name));
    if (here) return here;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    // Newest run first (run folders end in their run number).
    const runs = entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => runNumber(b) - runNumber(a) || b.localeCompare(a));
    for (const run of runs) {
      const pdf = await readIfThere(join(dir, run, name));
      if (pdf) return pdf;
    }
    return null;
  };
}

function runNumber(folder: string): number {
  const m = /-run(\d+)$/.exec(folder);
  return m ? Number(m[1]) : 0;
}

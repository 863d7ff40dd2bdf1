// Lint enforces the architecture of DESIGN.md §2: imports point inward.
// http/cli -> app -> domain and store; store -> domain; domain -> nothing; web -> nothing of the server.
import tseslint from 'typescript-eslint';

const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'web/dist/**', 'scratch/**', 'bench/out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a union or an as-const object.' },
      ],
    },
  },
  {
    // Tests read JSON bodies whose shape they then assert.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      ...forbid(
        [
          '**/store/**',
          '**/app/**',
          '**/http/**',
          '**/cli/**',
          '**/config/**',
          '**/ingest/**',
          'node:*',
          'pg',
          'kysely',
          'hono',
          '@electric-sql/*',
        ],
        'src/domain is pure: no I/O, no outer layers.',
      ),
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The domain does not read the environment.' },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: forbid(
      ['**/app/**', '**/http/**', '**/cli/**', '**/ingest/**'],
      'src/store depends only on src/domain (and config types).',
    ),
  },
  {
    files: ['src/ingest/**/*.ts'],
    rules: forbid(['**/app/**', '**/http/**', '**/cli/**'], 'src/ingest may use domain and store only.'),
  },
  {
    files: ['src/app/**/*.ts'],
    rules: forbid(['**/http/**', '**/cli/**'], 'src/app must not depend on its edges.'),
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config reads the environment.' },
      ],
    },
  },
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: forbid(
      ['**/src/app/**', '**/src/store/**', '**/src/ingest/**', '**/src/cli/**', '**/src/http/**'],
      'The web UI talks only to the HTTP API.',
    ),
  },
);

// Lint config: typescript-eslint's recommended rules, the rule that keeps pure model/diff modules
// free of I/O, and the layer boundaries (see docs/architecture.md; test/lint/ proves each fires).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NOT_EMULATORS = {
  group: ['**/emulators', '**/emulators/**'],
  message: 'The product never imports the emulators: they are test doubles with their own build.',
};
const NOT_SRC = {
  group: ['**/src', '**/src/**'],
  message: 'The emulators share no code with the product they stand in for: keep an own copy of the facts.',
};
const NOT_ABOVE_ACCESS = {
  group: ['**/controllers/**', '**/manager/**', '**/flexvolume/**', '**/hostroutes/**'],
  message:
    'src/cloud and src/kube are access layers: they never import the controllers, manager or agents built on them.',
};
const NOT_MANAGER = {
  group: ['**/manager/**'],
  message: 'Controllers never import the manager (the composition root that imports them).',
};
const LAYERS = [
  { files: ['src/**/*.ts'], forbid: [NOT_EMULATORS] },
  { files: ['src/cloud/**/*.ts', 'src/kube/**/*.ts'], forbid: [NOT_EMULATORS, NOT_ABOVE_ACCESS] },
  { files: ['src/controllers/**/*.ts'], forbid: [NOT_EMULATORS, NOT_MANAGER] },
  { files: ['emulators/**/*.ts'], forbid: [NOT_SRC] },
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-emulators/**', 'node_modules/**', 'coverage/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/controllers/*/model.ts', 'src/controllers/*/diff.ts', 'src/controllers/*/annotations.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/cloud/*',
            '!**/cloud/ownership.js',
            '**/kube/*',
            '!**/kube/labels.js',
            'node:fs',
            'node:child_process',
            'node:http',
          ],
        },
      ],
    },
  },
  // Layers (docs/architecture.md). A distinct rule name from the pure-file rule above, so a file
  // matched by both gets both; within this rule a later block replaces an earlier one, so each
  // layer lists everything it may not import.
  ...LAYERS.map(({ files, forbid }) => ({
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: forbid }] },
  })),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

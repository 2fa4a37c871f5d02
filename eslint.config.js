// Lint config: typescript-eslint's type-checked recommended rules, the rule that keeps pure model/diff modules
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
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
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
    // Pure layers by folder or file name, whatever a layer grows into.
    files: [
      'src/controllers/*/{model,diff,plan,annotations}.ts',
      'src/controllers/*/{model,diff,plan,annotations}/**/*.ts',
    ],
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
            'node:https',
            'node:net',
            'node:dns',
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
  // Tests deliberately inspect parsed documents of unknown shape (YAML manifests, JSON bodies from
  // the emulators, Prometheus output): asserting on `any` is the point there, and a wrong guess
  // fails the assertion. Product and emulator code keeps the no-unsafe-* family on.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // Fakes in tests, chaos and bench implement the async cloud/kube ports with synchronous bodies;
  // `async` keeps their signatures identical to the port, so require-await would only add noise.
  {
    files: ['test/**/*.ts', 'chaos/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  // Plain JavaScript (this file, the esbuild bundling scripts, test fixtures run by node) is not
  // in any tsconfig, so it gets the syntax rules only.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);

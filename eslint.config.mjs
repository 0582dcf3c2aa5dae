// One lint setup for the repo. The workflow block is what keeps workflows deterministic: no Node
// built-ins, no I/O clients, and activities known only as types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.stageprune/**', 'trainer/**', 'bin/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // Plain Node scripts (the test runner and its reporter).
    files: ['**/*.cjs', '**/*.mjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // onnxruntime-node is reached through runtime/ort.ts, which patches it before any tensor is made.
    files: [
      'runtime/**/*.ts',
      'activities/**/*.ts',
      'cli/**/*.ts',
      'infra/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'tools/**/*.ts',
      'workers/**/*.ts',
    ],
    ignores: ['runtime/ort.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'onnxruntime-node',
              message: 'Import { ort } from runtime/ort.ts.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows must be deterministic: no Node built-ins.',
          })),
          patterns: [
            {
              group: [
                '@aws-sdk/*',
                'onnxruntime-node',
                'sharp',
                '@temporalio/worker',
                '@temporalio/client',
                '@temporalio/activity',
              ],
              message: 'Workflows do no I/O: use an activity.',
            },
            {
              group: ['**/activities', '**/activities/*', '**/workers/*', '**/infra/*', '**/cli/*'],
              allowTypeImports: true,
              message: 'Workflows know activities only as types (import type).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Workflows must not read the process environment.' },
        { name: 'setInterval', message: 'Use workflow sleep/condition.' },
      ],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'The domain library is pure: file system, processes and network live in runtime/.',
          })),
          patterns: [
            {
              group: [
                '@temporalio/*',
                '@aws-sdk/*',
                'onnxruntime-node',
                '**/activities/*',
                '**/workflows/*',
                '**/workers/*',
              ],
              message: 'The domain library knows nothing of Temporal, S3 or onnxruntime.',
            },
          ],
        },
      ],
    },
  },
);

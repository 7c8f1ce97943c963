// ESLint flat config: TypeScript rules, deep imports only for provider packages, sorted imports.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const providerPackages = ['kubernetes', 'helm', 'cloudinit', 'null', 'tls', 'random'];

const deepImportsOnly = {
  paths: providerPackages.map((p) => ({
    name: `@cdktf/provider-${p}`,
    message: 'deep-import @cdktf/provider-x/lib/<resource>: the package index loads every resource',
  })),
  patterns: [
    {
      regex: '(^|/)gen/[a-z]+(/index(\\.js)?)?$',
      message: 'import the resource module under lib/gen/<provider>/<resource>/, never a provider-wide index',
    },
  ],
};

// lib/ is what constructs and stacks stand on: it never imports the layers above it (the CLI in bin/, stacks/).
// test/lib/layering.test.ts checks the same on resolved paths, dynamic imports included.
const noUpwardImports = {
  regex: '^(\\.\\./)+(bin|stacks)/',
  message: 'lib/ never imports bin/ or stacks/ (they are the layers above it)',
};

export default tseslint.config(
  {
    // synthesized output wherever -o puts it is JSON (not linted); its staging and trash directories are skipped
    ignores: [
      'lib/gen/**',
      'dist/**',
      'cdktf.out/**',
      'cdktf.out.*/**',
      '**/*.staging-*/**',
      '**/*.old-*/**',
      'node_modules/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
    rules: {
      'no-restricted-imports': ['error', deepImportsOnly],
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'parent', 'sibling', 'index'],
          'newlines-between': 'always',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
      '@typescript-eslint/member-ordering': [
        'error',
        { default: 'never', classes: ['static-field', 'static-method', 'field', 'constructor', 'method'] },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { ...deepImportsOnly, patterns: [...deepImportsOnly.patterns, noUpwardImports] },
      ],
    },
  },
  prettier,
);

// ESLint: the recommended rules of ESLint and typescript-eslint, type-aware (they catch floating
// promises and `any` leaking out of JSON; about 8 s for the whole repository). Layout is Prettier's
// job: eslint-config-prettier turns off the rules that would fight it.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'coverage/', 'reports/', '.data/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // Files outside tsconfig.json's include (the tool configs at the root) get a default project.
        projectService: { allowDefaultProject: ['*.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    rules: {
      // A leading underscore marks a parameter kept for its position (express's four-argument error handler).
      // Leaving a property out by destructuring it into _name is deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read response bodies and rows loosely on purpose (test/support/harness.ts's `Json`): the
    // assertions that follow are the type check. `any` may flow there, but not be called or passed on.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Stand-ins implement async interfaces with plain values, and expect(obj.method) is common.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  // What the service serves to browsers (/docs, /console): plain scripts in a browser.
  { files: ['public/**/*.js'], languageOptions: { globals: globals.browser } },
  prettier,
);

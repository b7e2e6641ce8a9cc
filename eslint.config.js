// Lint rules: typescript-eslint's recommended set over every TypeScript file, with the project's few additions.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'examples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-control-regex': 'off',
      // Prettier's width; it does not break strings, so this rule does. A regular expression stays on one line.
      'max-len': ['error', { code: 130, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  // The entry point is CommonJS (bin/package.json): it starts faster than an ES module.
  {
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Tests handle arbitrary parsed YAML; the transform registry holds transforms of every options type.
  {
    files: ['test/**', 'scripts/**', 'bench/**', 'src/pipeline/registry.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);

// Lint rules, including the borders from STYLE.md: shared imports neither station
// nor cloud, and those two never import each other (TypeScript project references
// enforce the same at compile time).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const border = (forbidden) => ({
  'no-restricted-imports': ['error', {
    patterns: forbidden.map((part) => ({ group: [`**/${part}/**`, `${part}/**`], message: `This part may not import ${part}/ (see STYLE.md, Borders).` })),
  }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'var/**', 'cloud/src/ui/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', document: 'readonly', window: 'readonly', EventSource: 'readonly', FormData: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  { files: ['shared/**/*.ts'], rules: border(['station', 'cloud']) },
  { files: ['station/**/*.ts'], rules: border(['cloud']) },
  { files: ['cloud/**/*.ts'], rules: border(['station']) },
);

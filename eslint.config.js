// Lint rules, including the borders from STYLE.md: shared imports neither station
// nor cloud, and those two never import each other (TypeScript project references
// enforce the same at compile time).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Each part names what it may not import: by relative path (`../../cloud/...`) or by
// the project's subpath imports (`#ml/...`, `#testkit/...`, see package.json "imports").
const border = (forbidden, againstFlow = []) => ({
  'no-restricted-imports': ['error', {
    patterns: [
      ...forbidden.map((part) => ({
        group: [`**/${part}/**`, `${part}/**`, `\\#${part}/**`],
        message: `This part may not import ${part}/ (see STYLE.md, Borders; the parts' READMEs say who imports whom).`,
      })),
      ...againstFlow.map((folder) => ({
        group: [`../${folder}/**`],
        message: `Import against the flow: this folder may not import ${folder}/ (station/README.md says which folder imports which).`,
      })),
    ],
  }],
});
const TESTS = ['**/*.test.ts', '**/test/**', 'tools-test/**', 'deploy/test/**', 'bench/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.cache/**', 'var/**', 'cloud/src/ui/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', document: 'readonly', window: 'readonly', EventSource: 'readonly', FormData: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A promise nobody awaits must say what happens when it rejects (`void p` is not an
      // answer: one hostile message could otherwise crash a daemon); see shared/src/util/background.ts.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
    },
  },
  // Production code: shared is the base; training code (ml) is for the cloud's retrain job
  // and the scripts, never for a field box; test kits never ship.
  { files: ['shared/**/*.ts'], ignores: TESTS, rules: border(['station', 'cloud', 'ml', 'testkit']) },
  { files: ['ml/**/*.ts'], ignores: TESTS, rules: border(['station', 'cloud', 'testkit']) },
  { files: ['station/**/*.ts'], ignores: TESTS, rules: border(['cloud', 'ml', 'testkit']) },
  // Inside the station the imports follow the data: capture -> pipeline -> store and actions;
  // core (segments, clock, Service, the db handle) is imported by all and imports none;
  // store is pure persistence; ota and system sit beside the flow; commands wire it.
  ...Object.entries({
    core: ['capture', 'pipeline', 'store', 'actions', 'ota', 'system', 'commands'],
    capture: ['pipeline', 'store', 'actions', 'ota', 'system', 'commands'],
    pipeline: ['ota', 'system', 'commands'],
    store: ['capture', 'pipeline', 'actions', 'ota', 'system', 'commands'],
    actions: ['capture', 'pipeline', 'ota', 'system', 'commands'],
    ota: ['capture', 'system', 'commands'],
    system: ['commands'],
    'status-page': ['commands'],
  }).map(([folder, againstFlow]) => ({
    files: [`station/src/${folder}/**/*.ts`], ignores: TESTS, rules: border(['cloud', 'ml', 'testkit'], againstFlow),
  })),
  { files: ['cloud/**/*.ts'], ignores: TESTS, rules: border(['station', 'testkit']) },
  { files: ['testkit/**/*.ts'], rules: border(['station', 'cloud']) },
  // Tests may use the test kits, but still respect the borders between the halves.
  { files: ['shared/**/*.test.ts'], rules: border(['station', 'cloud']) },
  { files: ['station/**/*.test.ts', 'station/test/**'], rules: border(['cloud', 'ml']) },
  { files: ['cloud/**/*.test.ts', 'cloud/test/**'], rules: border(['station']) },
);

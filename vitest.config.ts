import { defineConfig } from 'vitest/config';

// '#shared/*', '#ml/*' and '#testkit/*' (package.json "imports") resolve to the TypeScript
// sources under the 'ecosight-source' condition; plain Node resolves them to dist/.
const conditions = ['ecosight-source', 'node'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['shared/src/**/*.test.ts', 'ml/src/**/*.test.ts', 'testkit/src/**/*.test.ts', 'station/**/*.test.ts', 'cloud/**/*.test.ts', 'deploy/**/*.test.ts', 'tools-test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '**/*.fault.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});

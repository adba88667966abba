import { defineConfig } from 'vitest/config';

// `npm run test:faults`: power cuts, link loss, recorder failures, disk full, load and fuzzing.
// '#shared/*', '#ml/*' and '#testkit/*' (package.json "imports") resolve to the TypeScript
// sources under the 'ecosight-source' condition; plain Node resolves them to dist/.
const conditions = ['ecosight-source', 'node'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['station/test/faults/**/*.fault.test.ts', 'cloud/test/faults/**/*.fault.test.ts', 'tools-test/faults/**/*.fault.test.ts'],
    globalSetup: ['tools-test/fault-summary.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';

// `npm run test:faults`: power cuts, link loss, recorder failures, disk full, load and fuzzing.
export default defineConfig({
  test: {
    include: ['station/test/faults/**/*.fault.test.ts', 'cloud/test/faults/**/*.fault.test.ts'],
    globalSetup: ['tools-test/fault-summary.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
  },
});

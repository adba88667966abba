import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/src/**/*.test.ts', 'station/**/*.test.ts', 'cloud/**/*.test.ts', 'deploy/**/*.test.ts', 'tools-test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '**/*.fault.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});

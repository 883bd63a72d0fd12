import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'runtime/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/out/**', 'test-output/**'],
    // Integration suites build apps, install them and run real servers.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Two suites at a time: integration suites mostly wait on the processes
    // they start (pip tools, servers, builds), so two overlap well on 2 cores.
    maxWorkers: 2,
  },
});

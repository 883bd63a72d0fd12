import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'runtime/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/out/**', 'test-output/**'],
    // Integration suites build apps, install them and run real servers.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});

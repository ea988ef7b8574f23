import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Integration suites start Java and HTTPS servers: two cores, so keep the fan-out small.
    maxWorkers: 2,
    // Quiet handlers in tests; set here (not detected in production code). Child processes inherit them.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'plugins/*/src/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Integration suites start Java and HTTPS servers: two cores, so keep the fan-out small.
    maxWorkers: 2,
    // Backstage plugin tests (plugins/*): packages whose ESM imports Node cannot resolve on its own.
    server: { deps: { inline: [/material-ui-popup-state/, /@mui\//, /@backstage\/ui/] } },
    alias: [
      {
        find: /^.*\/node_modules_dist\/style-inject\/dist\/style-inject\.es\.esm\.js$/,
        replacement: new URL('./plugins/fleetops/src/test-no-style-inject.ts', import.meta.url).pathname,
      },
    ],
    // Quiet handlers in tests; set here (not detected in production code). Child processes inherit them.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});

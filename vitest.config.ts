import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 30_000,
    // Services and CLI runs started by tests seal personal data under this test key (test/support/keys.ts).
    env: { DATA_KEK: 'dGF2dXMtZmVlZGJhY2sgdGVzdHMnIGRhdGEga2V5ISE=' },
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: most tests wait on Postgres, HTTP or a child process, and one worker (the
    // default on two cores) left a core idle: 454 s for the suite, 349 s with three workers.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});

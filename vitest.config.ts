import { defineConfig } from 'vitest/config';

/**
 * `npm test`: unit and integration tests beside the code (on the embedded store; on PostgreSQL as well
 * when one is reachable, see src/test-support/global-setup.ts) plus the console's browser test.
 */
export default defineConfig({
  test: {
    globalSetup: ['src/test-support/global-setup.ts'],
    reporters: ['default'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'server', include: ['src/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'web', include: ['web/src/**/*.test.{ts,tsx}'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], environment: 'node', fileParallelism: false },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// The end-to-end suite (`npm run test:e2e`): Debian's Chromium driven by playwright-core
// against the platform started the standalone way once for the whole run (support/global-setup.ts).
// Kept out of the root config (which excludes apps/web), so `npm test` never starts a browser.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['support/global-setup.ts'],
    // One browser, one platform, files one after another: the scenarios share the platform and
    // the machine is small. Generous timeouts: tests wait on conditions, never on sleeps.
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
    testTimeout: 180_000,
    // The launcher may build the web app first.
    hookTimeout: 600_000,
  },
});

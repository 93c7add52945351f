import { defineConfig } from 'vitest/config';

// One runner for the whole monorepo. `npm test` runs every suite on the embedded adapters;
// `npm run test:infra` (PARLEY_TEST_INFRA=1) runs the same suites against real PostgreSQL,
// Redis and RabbitMQ as well.
export default defineConfig({
  test: {
    include: ['packages/*/{src,test}/**/*.test.ts', 'services/*/{src,test}/**/*.test.ts', 'apps/*/{src,test}/**/*.test.ts', 'deploy/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'apps/web/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // GitHub's workflow parser imports its schema JSON without an import attribute, which
    // Node's loader refuses; Vite's transform (inlining the package) handles it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});

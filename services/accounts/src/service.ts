import { defineService } from '@parley/kit';
import { createAccountsService } from './app.ts';
import { accountsConfigSchema } from './config.ts';
import { accountsMigrations } from './db/migrations.ts';
import { createAccountsWorker } from './worker/worker.ts';

/**
 * The accounts service as every host builds it (main.ts, apps/standalone, test stacks); with
 * runWorker the worker's jobs run in the same process. It verifies tokens with its own keys.
 */
export const accountsService = (options: { runWorker: boolean }) =>
  defineService({
    name: 'accounts',
    config: accountsConfigSchema,
    listens: ['PORT', 'GRPC_PORT'],
    needs: { adapters: true, database: { url: 'ACCOUNTS_DATABASE_URL', migrations: accountsMigrations } },
    create: ({ config, db, adapters, logger, metrics }) =>
      createAccountsService({
        config,
        db,
        cache: adapters.cache,
        bus: adapters.bus,
        jobs: adapters.jobs('accounts'),
        logger,
        runWorker: options.runWorker,
        metrics,
      }),
  });

/** The accounts worker as its own process (worker-main.ts): jobs and the relay, on accounts' database; metrics on WORKER_METRICS_PORT. */
export const accountsWorkerService = defineService({
  name: 'accounts-worker',
  config: accountsConfigSchema,
  listens: [],
  metricsPort: 'WORKER_METRICS_PORT',
  needs: { adapters: true, database: { url: 'ACCOUNTS_DATABASE_URL', migrations: accountsMigrations, owner: 'accounts' } },
  create: ({ config, db, adapters, logger, metrics }) =>
    createAccountsWorker({ config, db, cache: adapters.cache, bus: adapters.bus, jobs: adapters.jobs('accounts'), logger, metrics }),
});

import { defineService } from '@parley/kit';
import { createAccountsService } from './app.ts';
import { accountsConfigSchema } from './config.ts';
import { accountsMigrations } from './db/migrations.ts';

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

import { accountsV1 } from '@parley/contracts';
import { defineService } from '@parley/kit';
import { createGroupsService } from './app.ts';
import { groupsConfigSchema } from './config.ts';
import { groupsMigrations } from './db/migrations.ts';

/** The groups service as every host builds it (main.ts, apps/standalone, test stacks). */
export const groupsService = defineService({
  name: 'groups',
  config: groupsConfigSchema,
  listens: ['PORT', 'GRPC_PORT'],
  needs: {
    adapters: true,
    database: { url: 'GROUPS_DATABASE_URL', migrations: groupsMigrations },
    clients: { accounts: { client: accountsV1.UsersClient, address: 'ACCOUNTS_GRPC_ADDRESS' } },
    verifier: { accountsUrl: 'ACCOUNTS_URL' },
  },
  create: ({ config, db, adapters, logger, metrics, verifyToken, clients }) =>
    createGroupsService({
      config,
      db,
      cache: adapters.cache,
      bus: adapters.bus,
      jobs: adapters.jobs('groups'),
      logger,
      verifyToken,
      accounts: clients.accounts,
      metrics,
    }),
});

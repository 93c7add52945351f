import { accountsV1, groupsV1 } from '@parley/contracts';
import { defineService } from '@parley/kit';
import { createMessagesService } from './app.ts';
import { messagesConfigSchema } from './config.ts';
import { messagesMigrations } from './db/migrations.ts';

/**
 * The messages service as every host builds it (main.ts, apps/standalone, test stacks): tokens
 * verified against accounts' JWKS and the shared session cache; accounts and groups called over
 * gRPC, each call within GRPC_DEADLINE_MS.
 */
export const messagesService = defineService({
  name: 'messages',
  config: messagesConfigSchema,
  listens: ['PORT'],
  needs: {
    adapters: true,
    database: { url: 'MESSAGES_DATABASE_URL', migrations: messagesMigrations },
    clients: {
      accounts: { client: accountsV1.UsersClient, address: 'ACCOUNTS_GRPC_ADDRESS' },
      groups: { client: groupsV1.GroupsClient, address: 'GROUPS_GRPC_ADDRESS' },
    },
    verifier: { accountsUrl: 'ACCOUNTS_URL', deadlineMs: 'GRPC_DEADLINE_MS' },
  },
  create: ({ config, db, adapters, logger, metrics, verifyToken, clients }) =>
    createMessagesService({
      config,
      db,
      cache: adapters.cache,
      bus: adapters.bus,
      pubsub: adapters.pubsub,
      jobs: adapters.jobs('messages'),
      logger,
      verifyToken,
      accounts: clients.accounts,
      groups: clients.groups,
      metrics,
    }),
});

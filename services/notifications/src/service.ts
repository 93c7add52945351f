import { accountsV1, groupsV1 } from '@parley/contracts';
import { defineService } from '@parley/kit';
import { createNotificationsService } from './app.ts';
import { notificationsConfigSchema } from './config.ts';
import { notificationsMigrations } from './db/migrations.ts';

/**
 * The notifications service as every host builds it (main.ts, apps/standalone, test stacks);
 * run several behind a load balancer on one Redis and RabbitMQ.
 */
export const notificationsService = defineService({
  name: 'notifications',
  config: notificationsConfigSchema,
  listens: ['PORT'],
  needs: {
    adapters: true,
    database: { url: 'NOTIFICATIONS_DATABASE_URL', migrations: notificationsMigrations },
    clients: {
      accounts: { client: accountsV1.UsersClient, address: 'ACCOUNTS_GRPC_ADDRESS' },
      groups: { client: groupsV1.GroupsClient, address: 'GROUPS_GRPC_ADDRESS' },
    },
    verifier: { accountsUrl: 'ACCOUNTS_URL', deadlineMs: 1000 },
  },
  create: ({ config, db, adapters, logger, metrics, verifyToken, clients }) =>
    createNotificationsService({
      config,
      db,
      cache: adapters.cache,
      bus: adapters.bus,
      pubsub: adapters.pubsub,
      jobs: adapters.jobs('notifications'),
      logger,
      verifyToken,
      groups: clients.groups,
      accounts: clients.accounts,
      metrics,
    }),
});

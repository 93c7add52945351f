import { accountsV1, groupsV1 } from '@parley/contracts';
import {
  assertPortsFreeOrExit,
  createAdapters,
  createGrpcClient,
  createLogger,
  createMetrics,
  createRemoteTokenVerifier,
  loadConfigOrExit,
  openServiceDb,
  runUntilSignal,
  startMetricsServer,
  exitOnPortUnavailable,
} from '@parley/kit';
import { createNotificationsService } from './app.ts';
import { notificationsConfigSchema } from './config.ts';

// The notifications service as its own process (distributed mode); run several behind a load
// balancer on one Redis and RabbitMQ.
const config = loadConfigOrExit(notificationsConfigSchema);
await assertPortsFreeOrExit(config.HOST, { PORT: config.PORT });
const logger = createLogger('notifications', config.LOG_LEVEL);
const metrics = createMetrics('notifications');
const metricsServer = await exitOnPortUnavailable(startMetricsServer({ registry: metrics.registry, host: config.METRICS_HOST, port: config.METRICS_PORT, logger }));
const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
const db = await openServiceDb({ url: config.NOTIFICATIONS_DATABASE_URL, dataDir: config.DATA_DIR, service: 'notifications' });
const accounts = createGrpcClient(accountsV1.UsersClient, config.ACCOUNTS_GRPC_ADDRESS, { logger, metrics, deadlineMs: config.GRPC_DEADLINE_MS });
const groups = createGrpcClient(groupsV1.GroupsClient, config.GROUPS_GRPC_ADDRESS, { logger, metrics, deadlineMs: config.GRPC_DEADLINE_MS });
const verifyToken = createRemoteTokenVerifier({
  accountsUrl: config.ACCOUNTS_URL,
  cache: adapters.cache,
  accounts,
  deadlineMs: 1000,
});
const service = await createNotificationsService({ config, db, ...adapters, jobs: adapters.jobs('notifications'), logger, verifyToken, groups, accounts, metrics });
const ports = await service.start();
logger.info(ports, 'notifications ready');
runUntilSignal(logger, async () => {
  await service.stop();
  accounts.close();
  groups.close();
  await adapters.close();
  await db.close();
  await metricsServer.close();
});

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
import { createMessagesService } from './app.ts';
import { messagesConfigSchema } from './config.ts';

// The messages API as its own process (distributed mode): tokens are verified against accounts'
// JWKS and the shared session cache; accounts and groups are called over gRPC.
const config = loadConfigOrExit(messagesConfigSchema);
await assertPortsFreeOrExit(config.HOST, { PORT: config.PORT });
const logger = createLogger('messages', config.LOG_LEVEL);
const metrics = createMetrics('messages');
const metricsServer = await exitOnPortUnavailable(startMetricsServer({ registry: metrics.registry, host: config.METRICS_HOST, port: config.METRICS_PORT, logger }));
const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
const db = await openServiceDb({ url: config.MESSAGES_DATABASE_URL, dataDir: config.DATA_DIR, service: 'messages' });
const accounts = createGrpcClient(accountsV1.UsersClient, config.ACCOUNTS_GRPC_ADDRESS, { logger, metrics, deadlineMs: config.GRPC_DEADLINE_MS });
const groups = createGrpcClient(groupsV1.GroupsClient, config.GROUPS_GRPC_ADDRESS, { logger, metrics, deadlineMs: config.GRPC_DEADLINE_MS });
const verifyToken = createRemoteTokenVerifier({ accountsUrl: config.ACCOUNTS_URL, cache: adapters.cache, accounts });
const service = await createMessagesService({
  config,
  db,
  ...adapters,
  jobs: adapters.jobs('messages'),
  logger,
  verifyToken,
  accounts,
  groups,
  metrics,
});
const ports = await service.start();
logger.info(ports, 'messages ready');
runUntilSignal(logger, async () => {
  await service.stop();
  accounts.close();
  groups.close();
  await adapters.close();
  await db.close();
  await metricsServer.close();
});

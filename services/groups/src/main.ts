import { accountsV1 } from '@parley/contracts';
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
import { createGroupsService } from './app.ts';
import { groupsConfigSchema } from './config.ts';

// The groups API as its own process (distributed mode).
const config = loadConfigOrExit(groupsConfigSchema);
await assertPortsFreeOrExit(config.HOST, { PORT: config.PORT, GRPC_PORT: config.GRPC_PORT });
const logger = createLogger('groups', config.LOG_LEVEL);
const metrics = createMetrics('groups');
const metricsServer = await exitOnPortUnavailable(startMetricsServer({ registry: metrics.registry, host: config.METRICS_HOST, port: config.METRICS_PORT, logger }));
const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
const db = await openServiceDb({ url: config.GROUPS_DATABASE_URL, dataDir: config.DATA_DIR, service: 'groups' });
const accounts = createGrpcClient(accountsV1.UsersClient, config.ACCOUNTS_GRPC_ADDRESS, { logger, metrics, deadlineMs: config.GRPC_DEADLINE_MS });
const verifyToken = createRemoteTokenVerifier({ accountsUrl: config.ACCOUNTS_URL, cache: adapters.cache, accounts });
const service = await createGroupsService({ config, db, cache: adapters.cache, bus: adapters.bus, jobs: adapters.jobs('groups'), logger, verifyToken, accounts, metrics });
const ports = await service.start();
logger.info(ports, 'groups ready');
runUntilSignal(logger, async () => {
  await service.stop();
  accounts.close();
  await adapters.close();
  await db.close();
  await metricsServer.close();
});

import { assertPortsFreeOrExit, createAdapters, createLogger, createMetrics, loadConfigOrExit, openServiceDb, runUntilSignal, startMetricsServer, exitOnPortUnavailable } from '@parley/kit';
import { createAccountsService } from './app.ts';
import { accountsConfigSchema } from './config.ts';

// The accounts API as its own process (distributed mode). The worker runs as worker-main.ts,
// unless ACCOUNTS_RUN_WORKER=true asks for both in one process.
const config = loadConfigOrExit(accountsConfigSchema);
await assertPortsFreeOrExit(config.HOST, { PORT: config.PORT, GRPC_PORT: config.GRPC_PORT });
const logger = createLogger('accounts', config.LOG_LEVEL);
const metrics = createMetrics('accounts');
const metricsServer = await exitOnPortUnavailable(startMetricsServer({ registry: metrics.registry, host: config.METRICS_HOST, port: config.METRICS_PORT, logger }));
const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
const db = await openServiceDb({ url: config.ACCOUNTS_DATABASE_URL, dataDir: config.DATA_DIR, service: 'accounts' });
const service = await createAccountsService({
  config,
  db,
  ...adapters,
  jobs: adapters.jobs('accounts'),
  logger,
  runWorker: process.env.ACCOUNTS_RUN_WORKER === 'true',
  metrics,
});
const ports = await service.start();
logger.info(ports, 'accounts ready');
runUntilSignal(logger, async () => {
  await service.stop();
  await adapters.close();
  await db.close();
  await metricsServer.close();
});

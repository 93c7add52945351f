import {
  createAdapters,
  createLogger,
  createMetrics,
  createOutboxRelay,
  instrumentBus,
  instrumentCache,
  instrumentDb,
  instrumentJobs,
  loadConfigOrExit,
  migrate,
  openServiceDb,
  runUntilSignal,
  startMetricsServer,
  exitOnPortUnavailable,
} from '@parley/kit';
import { accountsConfigSchema } from './config.ts';
import { accountsMigrations } from './db/migrations.ts';

import { startAccountsWorker } from './worker/jobs.ts';

// The accounts worker as its own process: BullMQ jobs off the request path. Scale it
// independently of the API; repeatable jobs still run once per interval across all workers.
const config = loadConfigOrExit(accountsConfigSchema);
const logger = createLogger('accounts-worker', config.LOG_LEVEL);
const metrics = createMetrics('accounts-worker');
const metricsServer = await exitOnPortUnavailable(
  startMetricsServer({
    registry: metrics.registry,
    host: config.METRICS_HOST,
    port: config.WORKER_METRICS_PORT,
    logger,
    variable: 'WORKER_METRICS_PORT',
  }),
);
const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
const rawDb = await openServiceDb({ url: config.ACCOUNTS_DATABASE_URL, dataDir: config.DATA_DIR, service: 'accounts' });
const db = instrumentDb(rawDb, metrics);
await migrate(db, accountsMigrations);
const relay = createOutboxRelay({ db, bus: instrumentBus(adapters.bus, metrics, logger), logger, metrics });
relay.start();
const jobs = instrumentJobs(adapters.jobs('accounts'), metrics);
await startAccountsWorker({ db, cache: instrumentCache(adapters.cache, metrics), outbox: relay, config, logger }, jobs);
logger.info('accounts worker ready');
runUntilSignal(logger, async () => {
  await jobs.close();
  await relay.stop();
  await adapters.close();
  await rawDb.close();
  await metricsServer.close();
});

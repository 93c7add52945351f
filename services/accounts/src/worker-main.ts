import { createAdapters, createLogger, createOutboxRelay, loadConfigOrExit, migrate, openServiceDb, runUntilSignal } from '@parley/kit';
import { accountsConfigSchema } from './config.ts';
import { accountsMigrations } from './db/migrations.ts';

import { startAccountsWorker } from './worker/jobs.ts';

// The accounts worker as its own process: BullMQ jobs off the request path. Scale it
// independently of the API; repeatable jobs still run once per interval across all workers.
const config = loadConfigOrExit(accountsConfigSchema);
const logger = createLogger('accounts-worker', config.LOG_LEVEL);
const adapters = createAdapters({ redisUrl: config.REDIS_URL, amqpUrl: config.AMQP_URL, cacheTimeoutMs: config.CACHE_TIMEOUT_MS, logger });
const db = await openServiceDb({ url: config.ACCOUNTS_DATABASE_URL, dataDir: config.DATA_DIR, service: 'accounts' });
await migrate(db, accountsMigrations);
const relay = createOutboxRelay({ db, bus: adapters.bus, logger });
relay.start();
const jobs = adapters.jobs('accounts');
await startAccountsWorker({ db, cache: adapters.cache, outbox: relay, config, logger }, jobs);
logger.info('accounts worker ready');
runUntilSignal(logger, async () => {
  await jobs.close();
  await relay.stop();
  await adapters.close();
  await db.close();
});

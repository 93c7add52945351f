import { createMetrics, createOutboxRelay, instrumented, migrate, type Bus, type Cache, type Db, type Jobs, type Logger, type Metrics } from '@parley/kit';
import type { AccountsConfig } from '../config.ts';
import { accountsMigrations } from '../db/migrations.ts';
import { startAccountsWorker } from './jobs.ts';

export interface AccountsWorkerDeps {
  config: AccountsConfig;
  db: Db;
  cache: Cache;
  bus: Bus;
  jobs: Jobs;
  logger: Logger;
  metrics?: Metrics;
}

/**
 * The accounts worker on its own (distributed mode): BullMQ jobs off the request path, and the
 * outbox relay for the events they write. Scale it independently of the API; repeatable jobs
 * still run once per interval across all workers. Serves no HTTP: its metrics port only.
 */
export async function createAccountsWorker(deps: AccountsWorkerDeps): Promise<{ start(): Promise<Record<string, never>>; stop(): Promise<void> }> {
  const metrics = deps.metrics ?? createMetrics('accounts-worker');
  const { config, db, cache, bus, jobs, logger } = instrumented(deps, metrics);
  await migrate(db, accountsMigrations);
  const relay = createOutboxRelay({ db, bus, logger, metrics });
  return {
    async start() {
      relay.start();
      await startAccountsWorker({ db, cache, outbox: relay, config, logger }, jobs);
      return {};
    },
    async stop() {
      await jobs.close();
      await relay.stop();
    },
  };
}

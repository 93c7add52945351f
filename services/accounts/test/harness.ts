import type { ShownStatus } from '@parley/contracts';
import { createLogger, loadConfig, makeEvent, type Adapters, type Db, type EventEnvelope, type Jobs } from '@parley/kit';
import { createTestAdapters, openTestDb } from '@parley/kit/testing';
import { expect, vi } from 'vitest';
import { createAccountsService, type AccountsService } from '../src/app.ts';
import { accountsConfigSchema, type AccountsConfig } from '../src/config.ts';

export interface AccountsHarness {
  baseUrl: string;
  grpcAddress: string;
  service: AccountsService;
  adapters: Adapters;
  /** The job queue the service and its in-process worker use. */
  jobs: Jobs;
  db: Db;
  config: AccountsConfig;
  stop(): Promise<void>;
}

/**
 * Starts the accounts service in-process on ephemeral ports, on embedded adapters or on real
 * PostgreSQL, Redis and RabbitMQ, with the worker running in the same process.
 */
export async function startAccounts(kind: 'embedded' | 'real', env: Record<string, string> = {}): Promise<AccountsHarness> {
  const config = loadConfig(accountsConfigSchema, { PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'silent', ...env });
  const logger = createLogger('accounts', config.LOG_LEVEL);
  const adapters = createTestAdapters(kind, logger);
  const db = await openTestDb(kind);
  const jobs = adapters.jobs('accounts');
  const service = await createAccountsService({ config, db, ...adapters, jobs, logger, runWorker: true });
  const { httpPort, grpcPort } = await service.start();
  return {
    baseUrl: `http://127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    service,
    adapters,
    jobs,
    db,
    config,
    async stop() {
      await service.stop();
      await adapters.close();
      await db.close();
    },
  };
}

/**
 * The events the service wrote to its outbox about one user, oldest first; their data as
 * consumers get it (without the request id the outbox keeps beside it, kit outboxData()).
 */
export async function outboxEventsOf(h: AccountsHarness, userId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const { rows } = await h.db.query<{ type: string; data: Record<string, unknown> }>(
    `SELECT type, data - '$requestId' AS data FROM outbox WHERE data->>'userId' = $1 ORDER BY occurred_at, id`,
    [userId],
  );
  return rows;
}

/**
 * Publishes notifications' presence.changed for the user, as notifications does when what others
 * see of them changes, and waits until accounts has applied it.
 */
export async function publishPresence(h: AccountsHarness, userId: string, status: ShownStatus): Promise<EventEnvelope> {
  const event = makeEvent('presence.changed', { userId, status }, 'notifications');
  await h.adapters.bus.publish([event]);
  await vi.waitFor(
    async () => {
      const { rows } = await h.db.query<{ presence_event_id: string | null }>('SELECT presence_event_id FROM users WHERE id = $1', [userId]);
      expect(rows[0]?.presence_event_id).toBe(event.id);
    },
    { timeout: 10_000, interval: 20 },
  );
  return event;
}

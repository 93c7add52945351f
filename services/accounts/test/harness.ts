import type { ShownStatus } from '@parley/contracts';
import { makeEvent, type Adapters, type Db, type EventEnvelope, type Jobs } from '@parley/kit';
import { buildTestStack } from '@parley/kit/testing';
import { expect, vi } from 'vitest';
import type { AccountsService } from '../src/app.ts';
import type { AccountsConfig } from '../src/config.ts';
import { accountsService } from '../src/service.ts';

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
  return buildTestStack(kind, async (stack) => {
    const accounts = await stack.start(accountsService({ runWorker: true }), { env });
    return {
      baseUrl: accounts.url,
      grpcAddress: accounts.grpcAddress!,
      service: accounts.service,
      adapters: stack.adapters,
      jobs: accounts.parts.adapters.jobs('accounts'),
      db: accounts.parts.db,
      config: accounts.config,
      stop: () => stack.stop(),
    };
  });
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

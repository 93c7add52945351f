import { join } from 'node:path';
import { createMemoryBus } from './bus/memory-bus.ts';
import { createRabbitBus } from './bus/rabbit-bus.ts';
import { createMemoryCache } from './cache/memory-cache.ts';
import { createRedisCache } from './cache/redis-cache.ts';
import { createPgliteDb } from './db/pglite.ts';
import { createPostgresDb } from './db/postgres.ts';
import { createBullmqJobs } from './jobs/bullmq-jobs.ts';
import { createMemoryJobs } from './jobs/memory-jobs.ts';
import type { Logger } from './logger.ts';
import type { Bus, Cache, Db, Jobs, PubSub } from './ports.ts';
import { createMemoryPubSub } from './pubsub/memory-pubsub.ts';
import { createRedisPubSub } from './pubsub/redis-pubsub.ts';

/** The adapters services share: real ones when their URLs are set, embedded ones otherwise. */
export interface Adapters {
  cache: Cache;
  bus: Bus;
  pubsub: PubSub;
  /** One job queue per name (`accounts`), created on first use. */
  jobs(queue: string): Jobs;
  readonly mode: { redis: 'redis' | 'embedded'; bus: 'rabbitmq' | 'embedded' };
  close(): Promise<void>;
}

export interface AdapterOptions {
  redisUrl?: string | undefined;
  amqpUrl?: string | undefined;
  /** Deadline of a cache command (CACHE_TIMEOUT_MS); past it the cache answers a miss. */
  cacheTimeoutMs?: number | undefined;
  logger: Logger;
}

export function createAdapters(options: AdapterOptions): Adapters {
  const { redisUrl, amqpUrl, logger } = options;
  const cache = redisUrl
    ? createRedisCache({ url: redisUrl, logger, ...(options.cacheTimeoutMs !== undefined && { commandTimeoutMs: options.cacheTimeoutMs }) })
    : createMemoryCache();
  const bus = amqpUrl ? createRabbitBus({ url: amqpUrl, logger }) : createMemoryBus({ logger });
  const pubsub = redisUrl ? createRedisPubSub({ url: redisUrl, logger }) : createMemoryPubSub();
  const queues = new Map<string, Jobs>();
  return {
    cache,
    bus,
    pubsub,
    mode: { redis: redisUrl ? 'redis' : 'embedded', bus: amqpUrl ? 'rabbitmq' : 'embedded' },
    jobs(queue) {
      let jobs = queues.get(queue);
      if (!jobs) {
        jobs = redisUrl ? createBullmqJobs({ url: redisUrl, queue, logger }) : createMemoryJobs({ logger });
        queues.set(queue, jobs);
      }
      return jobs;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled([bus.close(), pubsub.close(), cache.close()]);
    },
  };
}

/**
 * A service's own database: PostgreSQL when its URL is set (statements given up after
 * queryTimeoutMs, DATABASE_QUERY_TIMEOUT_MS), else PGlite under dataDir/service.
 */
export async function openServiceDb(options: { url?: string | undefined; dataDir: string; service: string; queryTimeoutMs?: number | undefined }): Promise<Db> {
  return options.url ? createPostgresDb(options.url, { queryTimeoutMs: options.queryTimeoutMs }) : createPgliteDb(join(options.dataDir, options.service, 'pg'));
}

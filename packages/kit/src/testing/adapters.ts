import { Connection } from 'rabbitmq-client';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { createRabbitBus } from '../bus/rabbit-bus.ts';
import { createMemoryCache } from '../cache/memory-cache.ts';
import { createRedisCache } from '../cache/redis-cache.ts';
import { createBullmqJobs } from '../jobs/bullmq-jobs.ts';
import { createMemoryJobs } from '../jobs/memory-jobs.ts';
import type { Logger } from '../logger.ts';
import type { Bus, Cache, Jobs } from '../ports.ts';
import { createMemoryPubSub } from '../pubsub/memory-pubsub.ts';
import { createRedisPubSub } from '../pubsub/redis-pubsub.ts';
import type { Adapters } from '../runtime.ts';
import { testUrls, uniqueName } from './infra.ts';

/** A cache for one test: embedded, or real Redis with its keys under a unique prefix (`delPrefix('')` empties just those). */
export function createTestCache(kind: 'embedded' | 'real', prefix: string = uniqueName('t')): Cache {
  return kind === 'embedded' ? createMemoryCache() : createRedisCache({ url: testUrls.redis, keyPrefix: `${prefix}:` });
}

/**
 * Adapters for one test: embedded, or real Redis and RabbitMQ isolated by a unique prefix
 * (keys, channels, job queues, exchange and queue names), removed again by close().
 */
export function createTestAdapters(kind: 'embedded' | 'real', logger: Logger): Adapters {
  if (kind === 'embedded') {
    const queues = new Map<string, Jobs>();
    const cache = createTestCache(kind);
    const bus = createMemoryBus({ logger });
    const pubsub = createMemoryPubSub();
    return {
      cache,
      bus,
      pubsub,
      mode: { redis: 'embedded', bus: 'embedded' },
      jobs(queue) {
        const jobs = queues.get(queue) ?? createMemoryJobs({ logger });
        queues.set(queue, jobs);
        return jobs;
      },
      async close() {
        await Promise.allSettled([...queues.values()].map((q) => q.close()));
        await Promise.allSettled([bus.close(), pubsub.close(), cache.close()]);
      },
    };
  }
  const prefix = uniqueName('t');
  const cache = createTestCache(kind, prefix);
  const pubsub = createRedisPubSub({ url: testUrls.redis, channelPrefix: `${prefix}:` });
  const declared: string[] = [];
  const bus = prefixQueues(createRabbitBus({ url: testUrls.amqp, exchange: `${prefix}.events`, logger }), prefix, declared);
  const queues = new Map<string, Jobs>();
  return {
    cache,
    bus,
    pubsub,
    mode: { redis: 'redis', bus: 'rabbitmq' },
    jobs(queue) {
      const jobs = queues.get(queue) ?? createBullmqJobs({ url: testUrls.redis, queue, prefix, logger });
      queues.set(queue, jobs);
      return jobs;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.allSettled([bus.close(), pubsub.close()]);
      await cache.delPrefix('').catch(() => undefined);
      await cache.close();
      await deleteRabbitObjects(declared, `${prefix}.events`);
    },
  };
}

/** Gives every queue a per-test prefix, so parallel test files never compete for one queue. */
function prefixQueues(bus: Bus, prefix: string, declared: string[]): Bus {
  return {
    ...bus,
    subscribe(options, handler) {
      const queue = `${prefix}.${options.queue}`;
      declared.push(queue, `${queue}.retry`, `${queue}.dlq`);
      return bus.subscribe({ ...options, queue }, handler);
    },
    deadLetters: (queue) => bus.deadLetters(`${prefix}.${queue}`),
  };
}

/** Deletes queues and an exchange from the test RabbitMQ; what is already gone is skipped. */
export async function deleteRabbitObjects(queues: readonly string[], exchange: string): Promise<void> {
  const connection = new Connection({ url: testUrls.amqp, retryLow: 100, retryHigh: 200 });
  try {
    for (const queue of queues) await connection.queueDelete({ queue }).catch(() => undefined);
    await connection.exchangeDelete({ exchange }).catch(() => undefined);
  } finally {
    await connection.close();
  }
}

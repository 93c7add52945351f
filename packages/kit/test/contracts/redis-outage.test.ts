import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheUnavailableError, createRedisCache } from '../../src/cache/redis-cache.ts';
import type { Cache, PubSub } from '../../src/ports.ts';
import { createRedisPubSub } from '../../src/pubsub/redis-pubsub.ts';
import { infraEnabled, uniqueName } from '../../src/testing/infra.ts';
import { startPrivateRedis, type PrivateRedis } from '../../src/testing/redis-server.ts';

const WAIT = { timeout: 15_000, interval: 50 };

/**
 * What the Redis adapters do while their server is down and after it returns, on a private
 * redis-server this file stops and starts (never the shared one). Its data survives the restart
 * (append-only file): entries cached before the outage are still there after it.
 */
describe.runIf(infraEnabled)('Redis outage: cache and pub/sub on a server that stops and starts', () => {
  let redis: PrivateRedis;
  const caches: Cache[] = [];
  const keyPrefix = `${uniqueName('outage')}:`;
  /** One instance of a service: the adapters each process has, on one shared Redis. */
  const instance = (): Cache => {
    const cache = createRedisCache({ url: redis.url, keyPrefix, commandTimeoutMs: 5_000, breakerThreshold: 2, breakerCooldownMs: 100 });
    caches.push(cache);
    return cache;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis({ persist: true });
  });
  afterAll(async () => {
    await Promise.allSettled(caches.map((cache) => cache.close()));
    await redis.close();
  });

  it('fails open while Redis is down (misses, skipped writes, incr throws), opens its breaker, and is trusted again once Redis is back', async () => {
    const cache = instance();
    await cache.set('profile:ada', { name: 'Ada' }, 60);
    expect(await cache.get('profile:ada')).toEqual({ name: 'Ada' });

    await redis.stop();
    expect(await cache.get('profile:ada')).toBeUndefined();
    expect(await cache.getMany(['profile:ada', 'profile:bob'])).toEqual([undefined, undefined]);
    await cache.set('profile:bob', { name: 'Bob' }, 60);
    await cache.setMany([['profile:eve', 1]], 60);
    await cache.del('profile:ada');
    await cache.delPrefix('profile:');
    await expect(cache.incr('counter', 60)).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(await cache.ping()).toBe(false);
    expect(cache.degraded()).toBe(true);

    await redis.start();
    await expect.poll(() => cache.ping(), WAIT).toBe(true);
    expect(cache.degraded()).toBe(false);
    expect((await cache.incr('counter', 60)).value).toBe(1);
    await cache.set('profile:bob', { name: 'Bob' }, 60);
    expect(await cache.get('profile:bob')).toEqual({ name: 'Bob' });
  });

  it('an invalidation lost in the outage never lets any instance serve the stale entry once Redis is back', async () => {
    const writer = instance(); // the instance that changes the data and fails to invalidate
    const reader = instance(); // another instance, idle during the outage
    await reader.set('group:7:members', ['ada', 'bob'], 600);
    expect(await reader.get('group:7:members')).toEqual(['ada', 'bob']);

    await redis.stop();
    // bob is removed from the group in the database; the invalidation cannot reach Redis.
    await writer.del('group:7:members');
    await redis.start();

    // The stale list is still in Redis, but under the old epoch: the writer starts a new one
    // before it trusts Redis again, and from then on no instance reads the old entry.
    await expect.poll(() => writer.ping(), WAIT).toBe(true);
    await expect.poll(() => reader.ping(), WAIT).toBe(true); // its connection is back too: reads reach Redis
    expect(await reader.get('group:7:members')).toBeUndefined();
    expect(await reader.getMany(['group:7:members'])).toEqual([undefined]);
    await reader.set('group:7:members', ['ada'], 600);
    expect(await writer.get('group:7:members')).toEqual(['ada']);
  });

  it('an instance that only read during the outage lost nothing: it keeps the cache warm, and its first skipped write starts a new epoch', async () => {
    const cache = instance();
    const other = instance();
    await other.set('user:ada', 'v1', 600);
    await redis.stop();
    await cache.get('user:ada');
    await cache.get('user:ada');
    expect(cache.degraded()).toBe(true);
    await redis.start();
    await expect.poll(() => cache.ping(), WAIT).toBe(true);
    await expect.poll(() => other.ping(), WAIT).toBe(true);
    expect(await other.get('user:ada')).toBe('v1');

    await redis.stop();
    await cache.get('user:ada');
    await cache.get('user:ada');
    await cache.set('user:ada', 'v2', 600); // skipped: the breaker is open
    await redis.start();
    await expect.poll(() => cache.ping(), WAIT).toBe(true);
    await expect.poll(() => other.ping(), WAIT).toBe(true);
    expect(await other.get('user:ada')).toBeUndefined();
  });

  it('an instance that only writes catches up with a new epoch on its next write (its values are never invisible for good)', async () => {
    const writer = instance(); // like accounts writing sessions that others read
    const other = instance();
    await writer.set('session:a', { userId: 'ada' }, 600);
    expect(await other.get('session:a')).toEqual({ userId: 'ada' });
    // Another instance loses a write in an outage and starts a new epoch on its return.
    await redis.stop();
    await other.get('x');
    await other.get('x');
    await other.set('x', 1, 600);
    await redis.start();
    await expect.poll(() => other.ping(), WAIT).toBe(true);
    await expect.poll(() => writer.ping(), WAIT).toBe(true);
    expect(await other.get('session:a')).toBeUndefined(); // dropped with the old epoch

    await writer.set('session:b', { userId: 'bob' }, 600); // stamped with the old epoch: not written, epoch caught up
    await writer.set('session:b', { userId: 'bob' }, 600);
    expect(await other.get('session:b')).toEqual({ userId: 'bob' });
    await writer.setMany([['session:c', { userId: 'eve' }]], 600);
    expect(await other.getMany(['session:c'])).toEqual([{ userId: 'eve' }]);
  });

  it('a hung Redis (frozen, connection open) opens the breaker after its timeouts, and reads lost nothing once it runs again', async () => {
    const cache = createRedisCache({ url: redis.url, keyPrefix, commandTimeoutMs: 200, breakerThreshold: 2, breakerCooldownMs: 100 });
    caches.push(cache);
    await cache.set('hung:ada', 'v1', 600);
    redis.pause();
    try {
      const started = Date.now();
      expect(await cache.get('hung:ada')).toBeUndefined();
      expect(await cache.get('hung:ada')).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(cache.degraded()).toBe(true);
      // Open: no timeout paid any more.
      const skipped = Date.now();
      expect(await cache.get('hung:ada')).toBeUndefined();
      expect(Date.now() - skipped).toBeLessThan(100);
    } finally {
      redis.resume();
    }
    await expect.poll(() => cache.ping(), WAIT).toBe(true);
    expect(cache.degraded()).toBe(false);
    expect(await cache.get('hung:ada')).toBe('v1'); // only reads failed: nothing lost, nothing dropped
  });

  it('pub/sub reports the lost subscriber connection as degraded and calls onResubscribed once its channels receive again', async () => {
    const pubsub: PubSub = createRedisPubSub({ url: redis.url, channelPrefix: keyPrefix, commandTimeoutMs: 5_000 });
    try {
      const received: string[] = [];
      let resubscribed = 0;
      pubsub.onResubscribed(() => {
        resubscribed += 1;
      });
      await pubsub.subscribe('user:ada', (message) => received.push(message));
      await pubsub.publish('user:ada', 'before');
      await expect.poll(() => received, WAIT).toEqual(['before']);

      await redis.stop();
      await expect.poll(() => pubsub.degraded(), WAIT).toBe(true);
      await expect(pubsub.publish('user:ada', 'during')).rejects.toThrow();
      expect(resubscribed).toBe(0);

      await redis.start();
      await expect.poll(() => resubscribed, WAIT).toBe(1);
      await expect.poll(() => pubsub.degraded(), WAIT).toBe(false);
      // Resubscribed means receiving: a message published now arrives.
      await pubsub.publish('user:ada', 'after');
      await expect.poll(() => received, WAIT).toEqual(['before', 'after']);
    } finally {
      await pubsub.close();
    }
  });
});

import { createMemoryCache } from '../cache/memory-cache.ts';
import { tooManyRequests } from '../errors.ts';
import type { Cache } from '../ports.ts';

export interface RateLimiterOptions {
  /** The shared counters (Redis in distributed mode): a limit holds across every instance. */
  cache: Cache;
  /**
   * How many instances of the service run (INSTANCE_COUNT). While the shared counters are
   * unavailable each process counts on its own against limit / instances, so together they
   * still allow about the limit: never no limit, never refusing everyone.
   */
  instances: number;
  /** Bound on the per-process fallback counters. Default 100,000 keys. */
  maxLocalKeys?: number;
}

/**
 * Fixed-window rate limits answered with 429 and Retry-After. Counters live in the shared cache;
 * when it throws (Redis down, see CacheUnavailableError) the same key is counted in this process
 * instead, against the limit divided by the number of instances.
 */
export interface RateLimiter {
  /** Counts one attempt; throws 429 once the key is over `limit` in its window. */
  hit(key: string, limit: number, windowSeconds: number, detail?: string): Promise<void>;
  /** Throws 429 while the key's count has reached `limit`, without counting (failed logins are counted once they fail). */
  assertUnder(key: string, limit: number, detail?: string): Promise<void>;
  /** Forgets the key's count (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}

const counterKey = (key: string): string => `ratelimit:${key}`;

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { cache } = options;
  const instances = Math.max(1, Math.floor(options.instances));
  const local = createMemoryCache({ maxEntries: options.maxLocalKeys ?? 100_000 });
  /** This process's share of a limit; at least 1 so a tiny limit is never "refuse everyone". */
  const localLimit = (limit: number): number => Math.max(1, Math.floor(limit / instances));

  const count = async (key: string, windowSeconds: number): Promise<{ over: (limit: number) => boolean; ttlSeconds: number }> => {
    try {
      const { value, ttlSeconds } = await cache.incr(counterKey(key), windowSeconds);
      return { over: (limit) => value > limit, ttlSeconds };
    } catch {
      const { value, ttlSeconds } = await local.incr(counterKey(key), windowSeconds);
      return { over: (limit) => value > localLimit(limit), ttlSeconds };
    }
  };

  return {
    async hit(key, limit, windowSeconds, detail) {
      const { over, ttlSeconds } = await count(key, windowSeconds);
      if (over(limit)) throw tooManyRequests(ttlSeconds, detail);
    },

    async assertUnder(key, limit, detail) {
      const counter = counterKey(key);
      // Counts made in this process while the cache was away hold for their window too.
      const localCount = await local.get<number>(counter);
      let reached = localCount !== undefined && localCount >= localLimit(limit);
      if (!reached && !cache.degraded()) {
        const shared = await cache.get<number>(counter);
        reached = shared !== undefined && shared >= limit;
      }
      if (!reached) return;
      // Reading the time left counts once more, which is harmless: the window is fixed at creation.
      const { ttlSeconds } = await count(key, 1);
      throw tooManyRequests(ttlSeconds, detail);
    },

    async reset(key) {
      await Promise.all([cache.del(counterKey(key)), local.del(counterKey(key))]);
    },
  };
}

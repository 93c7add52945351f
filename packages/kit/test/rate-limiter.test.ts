import { describe, expect, it } from 'vitest';
import { createMemoryCache } from '../src/cache/memory-cache.ts';
import { CacheUnavailableError } from '../src/cache/redis-cache.ts';
import { isAppError } from '../src/errors.ts';
import type { Cache } from '../src/ports.ts';
import { createRateLimiter } from '../src/rate-limit/rate-limiter.ts';

/** A cache whose server is away: incr throws, reads miss, as the Redis adapter does in an outage. */
function unavailableCache(): Cache {
  const cache = createMemoryCache();
  return {
    ...cache,
    get: async () => undefined,
    incr: async () => {
      throw new CacheUnavailableError();
    },
    degraded: () => true,
  };
}

const status = async (attempt: Promise<void>): Promise<number> =>
  attempt.then(
    () => 200,
    (error: unknown) => (isAppError(error) ? error.httpStatus : 500),
  );

describe('rate limiter', () => {
  it('counts in the shared cache while it answers', async () => {
    const limits = createRateLimiter({ cache: createMemoryCache(), instances: 4 });
    const results = [];
    for (let i = 0; i < 12; i += 1) results.push(await status(limits.hit('send:ada', 10, 60)));
    expect(results.filter((code) => code === 200)).toHaveLength(10);
    expect(results.slice(10)).toEqual([429, 429]);
  });

  it('falls back to a per-process count against limit / instances when the cache is unavailable: never no limit, never refusing everyone', async () => {
    const limits = createRateLimiter({ cache: unavailableCache(), instances: 4 });
    const results = [];
    for (let i = 0; i < 12; i += 1) results.push(await status(limits.hit('send:ada', 10, 60)));
    // 10 / 4 instances: 2 per process.
    expect(results).toEqual([200, 200, ...Array(10).fill(429)]);
    // Another key has its own budget, and a limit smaller than the instance count still lets one through.
    expect(await status(limits.hit('send:bob', 10, 60))).toBe(200);
    expect(await status(limits.hit('tiny', 2, 60))).toBe(200);
    expect(await status(limits.hit('tiny', 2, 60))).toBe(429);
  });

  it('assertUnder sees failures counted in this process while the cache was away, and reset forgets them', async () => {
    const limits = createRateLimiter({ cache: unavailableCache(), instances: 2 });
    for (let i = 0; i < 3; i += 1) await limits.hit('login-failures:ada', Number.MAX_SAFE_INTEGER, 60);
    expect(await status(limits.assertUnder('login-failures:ada', 6))).toBe(429);
    expect(await status(limits.assertUnder('login-failures:bob', 6))).toBe(200);
    await limits.reset('login-failures:ada');
    expect(await status(limits.assertUnder('login-failures:ada', 6))).toBe(200);
  });
});

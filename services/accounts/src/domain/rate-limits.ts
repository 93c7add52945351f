import { tooManyRequests, type Cache } from '@parley/kit';

/**
 * Counts attempts in a fixed window and answers 429 (with Retry-After) once over the limit.
 * Backed by the cache, so the limit holds across every instance of the service.
 */
export async function hitLimit(cache: Cache, key: string, limit: number, windowSeconds: number): Promise<void> {
  const { value, ttlSeconds } = await cache.incr(`ratelimit:${key}`, windowSeconds);
  if (value > limit) throw tooManyRequests(ttlSeconds);
}

/**
 * Refuses while a counter is at its limit without counting a new attempt (failed logins are
 * counted only once they fail). Reading the time left increments the counter, which is
 * harmless: the window was fixed when the counter was created.
 */
export async function assertUnderLimit(cache: Cache, key: string, limit: number): Promise<void> {
  const count = await cache.get<number>(`ratelimit:${key}`);
  if (count !== undefined && count >= limit) {
    const { ttlSeconds } = await cache.incr(`ratelimit:${key}`, 1);
    throw tooManyRequests(ttlSeconds);
  }
}

import { tooManyRequests, type Cache } from '@parley/kit';

/**
 * Counts attempts in a fixed window and answers 429 (with Retry-After) once over the limit.
 * Backed by the cache, so the limit holds across every instance of the service.
 */
export async function hitLimit(cache: Cache, key: string, limit: number, windowSeconds: number): Promise<void> {
  const { value, ttlSeconds } = await cache.incr(`ratelimit:${key}`, windowSeconds);
  if (value > limit) throw tooManyRequests(ttlSeconds);
}

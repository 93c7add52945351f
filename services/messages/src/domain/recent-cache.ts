import type { Cache } from '@parley/kit';

/**
 * A user's chat list (first page) is cached under recentKey; every new, edited or deleted
 * message in one of their conversations, every read mark of theirs and every group or
 * profile change that alters a title invalidates it.
 *
 * Deleting alone is not enough: a reader that queried the database just before a change can
 * write its stale page back just after the delete. So invalidation also stamps the time
 * (staleKey), and a cached page counts only when it was built after the last stamp (with a
 * second of margin for clocks of different instances).
 */
export const recentKey = (userId: string): string => `messages:recent:${userId}`;
const staleKey = (userId: string): string => `messages:recent-stale:${userId}`;

export const RECENT_TTL_SECONDS = 300;
const CLOCK_MARGIN_MS = 1000;

export interface CachedRecent<T> {
  builtAt: number;
  limit: number;
  page: T;
}

export async function invalidateRecent(cache: Cache, userIds: readonly string[]): Promise<void> {
  const unique = [...new Set(userIds)];
  const now = Date.now();
  // In slices: a large group must not become one enormous command burst.
  for (let start = 0; start < unique.length; start += 1000) {
    const slice = unique.slice(start, start + 1000);
    // Issued in the same tick: on Redis the two commands go out as one pipelined write (one
    // round trip), in this order on the one connection, so the stamps land before the pages go.
    await Promise.all([
      cache.setMany(
        slice.map((id) => [staleKey(id), now] as const),
        RECENT_TTL_SECONDS,
      ),
      cache.del(...slice.map(recentKey)),
    ]);
  }
}

/** The cached first page, if it was built after the user's last invalidation. */
export async function readRecent<T>(cache: Cache, userId: string, limit: number): Promise<T | undefined> {
  const [cached, staleAt] = await cache.getMany<CachedRecent<T> | number>([recentKey(userId), staleKey(userId)]);
  const entry = cached as CachedRecent<T> | undefined;
  if (!entry || entry.limit !== limit) return undefined;
  if (typeof staleAt === 'number' && entry.builtAt <= staleAt + CLOCK_MARGIN_MS) return undefined;
  return entry.page;
}

/** builtAt: when the database read behind the page started. */
export async function writeRecent<T>(cache: Cache, userId: string, entry: CachedRecent<T>): Promise<void> {
  await cache.set(recentKey(userId), entry, RECENT_TTL_SECONDS);
}

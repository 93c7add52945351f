import type { Cache } from '@parley/kit';

/**
 * A user's chat list (first page) is cached under recentKey; every new, edited or deleted
 * message in one of their conversations and every read mark of theirs deletes it.
 */
export const recentKey = (userId: string): string => `messages:recent:${userId}`;

export async function invalidateRecent(cache: Cache, userIds: readonly string[]): Promise<void> {
  const keys = [...new Set(userIds)].map(recentKey);
  // In slices: a large group must not become one enormous DEL.
  for (let start = 0; start < keys.length; start += 1000) await cache.del(...keys.slice(start, start + 1000));
}

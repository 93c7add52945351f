import { cached, type Cache, type CachedRead } from '@parley/kit';

/**
 * A user's chat list (first page) is cached by user id; every new, edited or deleted message in
 * one of their conversations, every read mark of theirs and every group or profile change that
 * alters a title invalidates it. Through the kit's `cached`: a reader that queried the database
 * just before a change cannot write its stale page back just after the invalidation.
 */
export const RECENT_TTL_SECONDS = 300;

interface RecentPage<T> {
  limit: number;
  page: T;
}

const recentPages = cached<RecentPage<unknown>>({ name: 'messages:recent', ttlSeconds: RECENT_TTL_SECONDS });

export const invalidateRecent = (cache: Cache, userIds: readonly string[]): Promise<void> => recentPages.invalidate(cache, userIds);

/** Drops every user's cached page (when a change cannot name whom it concerns). */
export const forgetAllRecent = (cache: Cache): Promise<void> => cache.delPrefix(recentPages.key(''));

/** The cached first page of that size, if current; the read, to write a page built after it. */
export async function readRecent<T>(cache: Cache, userId: string, limit: number): Promise<{ page: T | undefined; read: CachedRead<RecentPage<unknown>> }> {
  const [read] = await recentPages.read(cache, [userId]);
  const page = read!.value?.limit === limit ? (read!.value.page as T) : undefined;
  return { page, read: read! };
}

/** Caches a first page built from the database after `read`. */
export async function writeRecent<T>(cache: Cache, userId: string, read: CachedRead<RecentPage<unknown>>, entry: RecentPage<T>): Promise<void> {
  await recentPages.write(cache, [{ id: userId, value: entry, read }]);
}

import type { accountsV1 } from '@parley/contracts';
import { unary, type Cache, type Logger } from '@parley/kit';

/**
 * Who has a user as a contact (accounts.v1.Users/ListContactOf): they watch the user's presence
 * even when they share no conversation. Cached; accounts publishes `contact.added` /
 * `contact.removed`, and the fan-out drops the entry of the user concerned, so the TTL only
 * bounds how long a lost event can leave the list stale.
 */
export interface Watchers {
  /** The watchers of a user; empty (and logged) while accounts does not answer. */
  of(userId: string): Promise<string[]>;
  invalidate(userId: string): Promise<void>;
}

const TTL_SECONDS = 600;
const watchersKey = (userId: string): string => `notifications:watchers:${userId}`;

export function createWatchers(options: { accounts: accountsV1.UsersClient; cache: Cache; logger: Logger }): Watchers {
  const { accounts, cache, logger } = options;
  return {
    async of(userId) {
      const cached = await cache.get<string[]>(watchersKey(userId));
      if (cached) return cached;
      try {
        const { userIds } = await unary(accounts, 'listContactOf', { userId, limit: 0 }, { deadlineMs: 1000, retries: 1 });
        await cache.set(watchersKey(userId), userIds, TTL_SECONDS);
        return userIds;
      } catch (err) {
        logger.warn({ err, userId }, 'presence: accounts did not say who has the user as a contact; telling co-members only');
        return [];
      }
    },
    invalidate: (userId) => cache.del(watchersKey(userId)),
  };
}

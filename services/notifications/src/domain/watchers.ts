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
  /** Drops the cached list now and once more a few seconds later (see SECOND_DELETE_MS). */
  invalidate(userId: string): Promise<void>;
  /** Cancels the pending second deletes (the service is stopping). */
  close(): void;
}

const TTL_SECONDS = 600;
/** accounts' answer: one retry of a 1 s deadline. */
const ASK_DEADLINE_MS = 1000;
const ASK_RETRIES = 1;
/**
 * A read that asked accounts just before a contact change can store its (now stale) answer just
 * after the change's delete. Such a read is over within (1 + retries) deadlines, so a second
 * delete this much later removes what it stored: a former contact sees presence for seconds at
 * most, not for the whole TTL.
 */
export const SECOND_DELETE_MS = (1 + ASK_RETRIES) * ASK_DEADLINE_MS + 3000;

const watchersKey = (userId: string): string => `notifications:watchers:${userId}`;

export function createWatchers(options: { accounts: accountsV1.UsersClient; cache: Cache; logger: Logger }): Watchers {
  const { accounts, cache, logger } = options;
  const secondDeletes = new Set<NodeJS.Timeout>();
  return {
    async of(userId) {
      const cached = await cache.get<string[]>(watchersKey(userId));
      if (cached) return cached;
      try {
        const { userIds } = await unary(accounts, 'listContactOf', { userId, limit: 0 }, { deadlineMs: ASK_DEADLINE_MS, retries: ASK_RETRIES });
        await cache.set(watchersKey(userId), userIds, TTL_SECONDS);
        return userIds;
      } catch (err) {
        logger.warn({ err, userId }, 'presence: accounts did not say who has the user as a contact; telling co-members only');
        return [];
      }
    },
    async invalidate(userId) {
      await cache.del(watchersKey(userId));
      const timer = setTimeout(() => {
        secondDeletes.delete(timer);
        cache.del(watchersKey(userId)).catch((err: unknown) => logger.warn({ err, userId }, 'presence: second delete of a watcher list failed'));
      }, SECOND_DELETE_MS);
      timer.unref();
      secondDeletes.add(timer);
    },
    close() {
      for (const timer of secondDeletes) clearTimeout(timer);
      secondDeletes.clear();
    },
  };
}

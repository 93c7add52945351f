import type { accountsV1 } from '@parley/contracts';
import { cached, unary, type Cache, type Logger } from '@parley/kit';

/**
 * Who has a user as a contact (accounts.v1.Users/ListContactOf): they watch the user's presence
 * even when they share no conversation. Cached with the kit's `cached`; accounts publishes
 * `contact.added` / `contact.removed`, and the fan-out invalidates the entry of the user
 * concerned (a read that asked accounts just before the change cannot write its answer back
 * after it), so the TTL only bounds how long a lost event can leave the list stale.
 */
export interface Watchers {
  /** The watchers of a user; empty (and logged) while accounts does not answer. */
  of(userId: string): Promise<string[]>;
  invalidate(userId: string): Promise<void>;
}

/** Presence is announced late rather than slowly: one retry of a 1 s deadline. */
const ASK = { deadlineMs: 1000, retries: 1 } as const;

export const watcherLists = cached<string[]>({ name: 'notifications:watchers', ttlSeconds: 600 });

export function createWatchers(options: { accounts: accountsV1.UsersClient; cache: Cache; logger: Logger }): Watchers {
  const { accounts, cache, logger } = options;
  return {
    async of(userId) {
      try {
        const ids = await watcherLists.get(cache, userId, async () => (await unary(accounts, 'listContactOf', { userId, limit: 0 }, ASK)).userIds);
        return ids ?? [];
      } catch (err) {
        logger.warn({ err, userId }, 'presence: accounts did not say who has the user as a contact; telling co-members only');
        return [];
      }
    },
    invalidate: (userId) => watcherLists.invalidate(cache, [userId]),
  };
}

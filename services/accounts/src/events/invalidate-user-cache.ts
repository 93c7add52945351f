import type { Bus } from '@parley/kit';
import type { AccountsContext } from '../domain/context.ts';
import { invalidateUser } from '../domain/user-cache.ts';

export const CACHE_QUEUE = 'accounts.user-cache';

/**
 * The event side of cache invalidation: every user.* event drops that user's cached profile.
 * The use cases already drop it right after their commit (so the next read is fresh); this
 * consumer also covers changes made by the worker or any other instance. Deleting is
 * idempotent, so redeliveries are harmless.
 */
export function subscribeUserCacheInvalidation(bus: Bus, ctx: Pick<AccountsContext, 'cache'>) {
  return bus.subscribe({ queue: CACHE_QUEUE, bindings: ['user.*'] }, async (event) => {
    const userId = (event.data as { userId?: unknown }).userId;
    if (typeof userId === 'string') await invalidateUser(ctx.cache, userId);
  });
}

import { subscribe, type Bus } from '@parley/kit';
import type { AccountsContext } from '../domain/context.ts';
import { invalidateUser } from '../domain/user-cache.ts';
import { USER_CACHE_QUEUE } from './queues.ts';

/**
 * The event side of cache invalidation: every user.* event drops that user's cached profile.
 * The use cases already drop it right after their commit (so the next read is fresh); this
 * consumer also covers changes made by the worker or any other instance. Deleting is
 * idempotent, so redeliveries are harmless.
 */
export function subscribeUserCacheInvalidation(bus: Bus, ctx: Pick<AccountsContext, 'cache' | 'logger'>) {
  return subscribe(bus, USER_CACHE_QUEUE, (event) => invalidateUser(ctx.cache, event.data.userId), ctx);
}

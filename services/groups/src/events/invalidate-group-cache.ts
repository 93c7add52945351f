import type { Bus, Cache } from '@parley/kit';
import { forgetGroup } from '../domain/group-cache.ts';

export const CACHE_QUEUE = 'groups.cache';

/** The users whose group list an event may change: the member it names, or every member of a created or deleted group. */
function usersNamedBy(data: Record<string, unknown>): string[] {
  const memberIds: unknown[] = Array.isArray(data.memberIds) ? data.memberIds : [];
  const ids = [data.userId, ...memberIds];
  return ids.filter((id): id is string => typeof id === 'string');
}

/**
 * The event side of cache invalidation: every group.* event drops the group, its member list
 * and the group lists of the users it names. The use cases already drop them right after their
 * commit (so the next read is fresh); this consumer also covers other instances and a reader
 * that put back what it read just before that commit. Deleting is idempotent, so redeliveries
 * are harmless and no inbox is needed.
 */
export function subscribeGroupCacheInvalidation(bus: Bus, cache: Cache) {
  return bus.subscribe({ queue: CACHE_QUEUE, bindings: ['group.*'] }, async (event) => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (typeof data.groupId === 'string') await forgetGroup(cache, data.groupId, usersNamedBy(data));
  });
}

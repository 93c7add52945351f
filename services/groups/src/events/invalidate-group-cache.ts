import { subscribe, type Bus, type EventsBoundBy } from '@parley/kit';
import type { GroupsContext } from '../domain/context.ts';
import { forgetGroup } from '../domain/group-cache.ts';
import { GROUP_CACHE_QUEUE } from './queues.ts';

/** The users whose group list an event may change: the member it names, or every member of a created or deleted group. */
function usersNamedBy(event: EventsBoundBy<'group.*'>): string[] {
  const { data } = event;
  if ('memberIds' in data) return data.memberIds ?? [];
  return 'userId' in data ? [data.userId] : [];
}

/**
 * The event side of cache invalidation: every group.* event drops the group, its member list
 * and the group lists of the users it names. The use cases already drop them right after their
 * commit (so the next read is fresh); this consumer also covers other instances and a reader
 * that put back what it read just before that commit. Deleting is idempotent, so redeliveries
 * are harmless and no inbox is needed.
 */
export function subscribeGroupCacheInvalidation(bus: Bus, ctx: Pick<GroupsContext, 'cache' | 'logger'>) {
  return subscribe(bus, GROUP_CACHE_QUEUE, (event) => forgetGroup(ctx.cache, event.data.groupId, usersNamedBy(event)), ctx);
}

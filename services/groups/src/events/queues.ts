import { defineQueue } from '@parley/kit';

/** The queues groups consumes: name, bindings and retries, each in one place (kit bus/subscribe.ts). */

/** Every group.* event drops the cached group, its members and the named users' group lists (invalidate-group-cache.ts). */
export const GROUP_CACHE_QUEUE = defineQueue({ queue: 'groups.cache', bindings: ['group.*'] });

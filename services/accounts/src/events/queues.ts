import { defineQueue } from '@parley/kit';

/** The queues accounts consumes: name, bindings and retries, each in one place (kit bus/subscribe.ts). */

/** Every user.* event drops that user's cached profile (invalidate-user-cache.ts). */
export const USER_CACHE_QUEUE = defineQueue({ queue: 'accounts.user-cache', bindings: ['user.*'] });

/** notifications' presence.changed: the presence others see on profiles (presence.consumer.ts). */
export const PRESENCE_QUEUE = defineQueue({ queue: 'accounts.presence', bindings: ['presence.changed'] });

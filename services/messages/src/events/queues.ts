import { defineQueue } from '@parley/kit';

/** The queues messages consumes: name, bindings and retries, each in one place (kit bus/subscribe.ts). */

/** group.* events: conversation rows and titles, membership caches (group-events.ts). */
export const GROUPS_QUEUE = defineQueue({
  queue: 'messages.groups',
  bindings: ['group.created', 'group.updated', 'group.deleted', 'group.member_added', 'group.member_removed', 'group.member_role_changed'],
});

/** user.updated: cached profiles and the chat lists that show them (user-events.ts). */
export const USERS_QUEUE = defineQueue({ queue: 'messages.users', bindings: ['user.updated'] });

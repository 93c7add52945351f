import { defineQueue } from '@parley/kit';
import { NOTIFICATION_CREATED, parseOwnEvent } from '../domain/events.ts';

/** The queues notifications consumes: name, bindings and retries, each in one place (kit bus/subscribe.ts). */

/**
 * session.revoked closes that session's sockets on every instance (sessions.consumer.ts). A
 * queue of its own, so a backlog of chat events never delays a logout. 10 attempts from 200 ms
 * doubling: the control line waits out a Redis outage of about a minute and a half instead of
 * going to the dead letters (the heartbeat's session re-check is the backstop).
 */
export const SESSIONS_QUEUE = defineQueue({ queue: 'notifications.sessions', bindings: ['session.revoked'], retryBaseMs: 200, maxAttempts: 10 });

/**
 * Real-time fan-out (fan-out.consumer.ts) of everything clients hear of but new messages:
 * message.created reaches the sockets by the live path (the messages service publishes it
 * straight to the instances after commit, see socket-hub.ts), so relaying it here too would
 * deliver it twice and cost the broker a queue. `message.*` was bound by versions before the live
 * path; it is removed from the broker at start.
 */
export const FANOUT_QUEUE = defineQueue({
  queue: 'notifications.fanout',
  bindings: ['message.updated', 'message.deleted', 'reaction.*', 'read.*', 'conversation.*', 'group.*', 'user.status_changed', 'contact.*'],
  retiredBindings: ['message.*'],
  maxAttempts: 8,
  retryBaseMs: 250,
});

/** The events that can store (or remove) notifications, once each (store.consumer.ts). */
export const STORE_QUEUE = defineQueue({
  queue: 'notifications.store',
  bindings: ['message.created', 'message.deleted', 'group.created', 'group.member_added'],
  maxAttempts: 8,
  retryBaseMs: 250,
});

/** The service's own notification.created: frames and Web Push (deliver.consumer.ts). */
export const DELIVER_QUEUE = defineQueue({
  queue: 'notifications.deliver',
  bindings: [NOTIFICATION_CREATED],
  parse: parseOwnEvent,
  maxAttempts: 6,
  retryBaseMs: 1000,
});

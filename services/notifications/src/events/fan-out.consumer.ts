import { createKeyedSerial, parseEventOrLog, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { UnknownConversationError } from '../domain/conversation-directory.ts';
import { fanOutEvent, orderingKeyOf } from '../domain/fan-out-event.ts';

export const FANOUT_QUEUE = 'notifications.fanout';
/**
 * Everything clients hear of but new messages: message.created reaches the sockets by the live
 * path (the messages service publishes it straight to the instances after commit, see
 * socket-hub.ts), so relaying it here too would deliver it twice and cost the broker a queue.
 */
export const FANOUT_BINDINGS = [
  'message.updated',
  'message.deleted',
  'reaction.*',
  'read.*',
  'conversation.*',
  'group.*',
  'user.status_changed',
  'contact.*',
];
/** Bound by versions before the live path; removed from the broker at start. */
const RETIRED_BINDINGS = ['message.*'];

const DONE_TTL_SECONDS = 3600;
const doneKey = (eventId: string): string => `notifications:fanned-out:${eventId}`;

/**
 * Real-time fan-out. Every instance consumes the one shared queue (competing consumers): each
 * event is resolved to its recipients once, on one instance, and published to their channels.
 * A redelivered event that already went out is skipped (best effort, by event id in the cache).
 */
export function subscribeFanOut(bus: Bus, ctx: Pick<NotificationsContext, 'directory' | 'pubsub' | 'presence' | 'cache' | 'logger'>) {
  const serial = createKeyedSerial();
  return bus.subscribe(
    { queue: FANOUT_QUEUE, bindings: FANOUT_BINDINGS, retiredBindings: RETIRED_BINDINGS, maxAttempts: 8, retryBaseMs: 250 },
    async (envelope) => {
      const event = parseEventOrLog(envelope, ctx.logger, FANOUT_QUEUE);
      if (!event) return;
      // A redelivery, or the same event published twice (a lost publisher confirm).
      if (await ctx.cache.get(doneKey(event.id))) return;
      try {
        await serial(orderingKeyOf(event), () => fanOutEvent(ctx, event));
      } catch (error) {
        // Usually a message consumed before its conversation.created: the retry finds it.
        if (error instanceof UnknownConversationError) ctx.logger.info({ eventId: event.id, type: event.type }, error.message);
        throw error;
      }
      await ctx.cache.set(doneKey(event.id), true, DONE_TTL_SECONDS);
    },
  );
}

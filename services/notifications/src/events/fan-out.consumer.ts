import { createKeyedSerial, subscribe, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { UnknownConversationError } from '../domain/conversation-directory.ts';
import { fanOutEvent, orderingKeyOf } from '../domain/fan-out-event.ts';
import { FANOUT_QUEUE } from './queues.ts';

const DONE_TTL_SECONDS = 3600;
const doneKey = (eventId: string): string => `notifications:fanned-out:${eventId}`;

/**
 * Real-time fan-out. Every instance consumes the one shared queue (competing consumers): each
 * event is resolved to its recipients once, on one instance, and published to their channels.
 * A redelivered event that already went out is skipped (best effort, by event id in the cache).
 */
export function subscribeFanOut(bus: Bus, ctx: Pick<NotificationsContext, 'directory' | 'pubsub' | 'presence' | 'cache' | 'logger'>) {
  const serial = createKeyedSerial();
  return subscribe(
    bus,
    FANOUT_QUEUE,
    async (event) => {
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
    ctx,
  );
}

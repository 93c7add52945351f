import { InvalidEventError, parseEvent } from '@parley/contracts';
import type { MessagesContext } from '../domain/context.ts';
import { USERS_QUEUE, syncUserProfile } from '../domain/sync-user-profile.ts';

/** Consumes user.updated (queue messages.users) to keep cached profiles fresh. */
export function subscribeUserEvents(ctx: Pick<MessagesContext, 'bus' | 'db' | 'cache' | 'logger'>) {
  return ctx.bus.subscribe({ queue: USERS_QUEUE, bindings: ['user.updated'] }, async (envelope) => {
    let event;
    try {
      event = parseEvent(envelope);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      ctx.logger.error({ err: error, eventId: envelope.id, type: envelope.type }, 'dropping a malformed user event');
      return;
    }
    if (event.type === 'user.updated') await syncUserProfile(ctx, event);
  });
}

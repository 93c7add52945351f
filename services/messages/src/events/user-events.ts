import { parseEventOrLog } from '@parley/kit';
import type { MessagesContext } from '../domain/context.ts';
import { USERS_QUEUE, syncUserProfile } from '../domain/sync-user-profile.ts';

/** Consumes user.updated (queue messages.users) to keep cached profiles fresh. */
export function subscribeUserEvents(ctx: Pick<MessagesContext, 'bus' | 'db' | 'cache' | 'logger'>) {
  return ctx.bus.subscribe({ queue: USERS_QUEUE, bindings: ['user.updated'] }, async (envelope) => {
    const event = parseEventOrLog(envelope, ctx.logger, USERS_QUEUE);
    if (event?.type === 'user.updated') await syncUserProfile(ctx, event);
  });
}

import { subscribe } from '@parley/kit';
import type { MessagesContext } from '../domain/context.ts';
import { syncUserProfile } from '../domain/sync-user-profile.ts';
import { USERS_QUEUE } from './queues.ts';

/** Consumes user.updated (queue messages.users) to keep cached profiles fresh. */
export function subscribeUserEvents(ctx: Pick<MessagesContext, 'bus' | 'db' | 'cache' | 'logger'>) {
  return subscribe(ctx.bus, USERS_QUEUE, (event) => syncUserProfile(ctx, event), ctx);
}

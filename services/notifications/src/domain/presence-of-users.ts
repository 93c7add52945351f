import type { PresenceFrameData } from '@parley/contracts';
import { unavailable } from '@parley/kit';
import type { NotificationsContext } from './context.ts';

/** Presence lives in Redis only: while it is away the answer would be "everyone offline", so none is given. */
const PRESENCE_RETRY_AFTER_SECONDS = 5;

/** Who of these users is connected now, with the status they chose (invisible users show offline). */
export async function presenceOfUsers(ctx: Pick<NotificationsContext, 'presence' | 'cache' | 'pubsub'>, userIds: readonly string[]): Promise<PresenceFrameData[]> {
  if (ctx.cache.degraded() || ctx.pubsub.degraded()) {
    throw unavailable('Presence is paused while its store (Redis) is unavailable; try again shortly.', PRESENCE_RETRY_AFTER_SECONDS);
  }
  return ctx.presence.statusOf(userIds);
}

import { deleteSubscription } from '../db/push-subscription.repository.ts';
import type { NotificationsContext } from './context.ts';

/** Removes one of the caller's push subscriptions; removing one that is not there is not an error. */
export async function unsubscribePush(ctx: Pick<NotificationsContext, 'db'>, userId: string, endpoint: string): Promise<void> {
  await deleteSubscription(ctx.db, userId, endpoint);
}

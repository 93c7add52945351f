import type { NotificationFrameData } from '@parley/contracts';
import { deleteSubscriptionById, listSubscriptions, markPushed } from '../db/push-subscription.repository.ts';
import type { NotificationsContext } from './context.ts';
import { sendWebPush, type PushOutcome, type PushTarget } from './push-transport.ts';

type PushContext = Pick<NotificationsContext, 'db' | 'cache' | 'config' | 'logger' | 'vapid'>;

/** Lets tests and operators swap the network part; the default is real Web Push. */
export type PushSender = typeof sendWebPush;

const SENT_TTL_SECONDS = 2 * 86_400;
const sentKey = (notificationId: string, subscriptionId: string): string => `notifications:pushed:${notificationId}:${subscriptionId}`;

/**
 * Sends a notification to every push subscription of the user. A subscription the push
 * service says is gone (404/410) is deleted; transient failures throw after the others were
 * tried, so the consumer retries, and subscriptions already served are skipped on the retry.
 */
export async function sendPushes(ctx: PushContext, userId: string, notification: NotificationFrameData, send: PushSender = sendWebPush): Promise<void> {
  const subscriptions = await listSubscriptions(ctx.db, userId);
  if (subscriptions.length === 0) return;
  const payload = JSON.stringify({ type: 'notification', data: notification });
  const options = {
    vapid: ctx.vapid,
    allowList: ctx.config.PUSH_ENDPOINT_ALLOW_LIST,
    timeoutMs: ctx.config.PUSH_TIMEOUT_MS,
    ttlSeconds: ctx.config.PUSH_TTL_SECONDS,
    urgency: 'high' as const,
    topic: notification.id.replaceAll('-', ''),
  };
  const outcomes = await Promise.all(
    subscriptions.map(async (subscription): Promise<PushOutcome> => {
      const key = sentKey(notification.id, subscription.id);
      if (await ctx.cache.get(key)) return { outcome: 'sent' };
      const target: PushTarget = { endpoint: subscription.endpoint, p256dh: subscription.p256dh, auth: subscription.auth };
      const result = await send(target, payload, options);
      const log = { userId, subscriptionId: subscription.id, status: result.status, detail: result.detail };
      switch (result.outcome) {
        case 'sent':
          await ctx.cache.set(key, true, SENT_TTL_SECONDS);
          await markPushed(ctx.db, subscription.id);
          break;
        case 'gone':
          ctx.logger.info(log, 'push subscription is gone; removed');
          await deleteSubscriptionById(ctx.db, subscription.id);
          break;
        case 'rejected':
          ctx.logger.warn(log, 'push service refused the push');
          break;
        case 'failed':
          ctx.logger.warn(log, 'push failed; will retry');
          break;
      }
      return result;
    }),
  );
  const failed = outcomes.filter((result) => result.outcome === 'failed').length;
  if (failed > 0) throw new Error(`Web Push failed for ${failed} subscription(s)`);
}

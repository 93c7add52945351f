import type { Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { deliverNotification } from '../domain/deliver-notification.ts';
import { NOTIFICATION_CREATED, notificationCreatedSchema } from '../domain/notification-events.ts';
import type { PushSender } from '../domain/send-pushes.ts';

export const DELIVER_QUEUE = 'notifications.deliver';

/** Stored notifications go out: the frame at once, Web Push to users with no socket (retried). */
export function subscribeDeliver(
  bus: Bus,
  ctx: Pick<NotificationsContext, 'db' | 'cache' | 'config' | 'logger' | 'vapid' | 'pubsub' | 'presence'>,
  send?: PushSender,
) {
  return bus.subscribe(
    { queue: DELIVER_QUEUE, bindings: [NOTIFICATION_CREATED], maxAttempts: 6, retryBaseMs: 1000 },
    async (envelope, { attempt }) => {
      const parsed = notificationCreatedSchema.safeParse(envelope.data);
      if (!parsed.success) {
        ctx.logger.error({ eventId: envelope.id, issues: parsed.error.issues }, 'dropping a malformed notification.created');
        return;
      }
      await deliverNotification(ctx, parsed.data, attempt, send);
    },
  );
}

import { subscribe, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { deliverNotification } from '../domain/deliver-notification.ts';
import type { PushSender } from '../domain/send-pushes.ts';
import { DELIVER_QUEUE } from './queues.ts';

/** Stored notifications go out: the frame at once, Web Push to users with no socket (retried). */
export function subscribeDeliver(
  bus: Bus,
  ctx: Pick<NotificationsContext, 'db' | 'cache' | 'config' | 'logger' | 'vapid' | 'pubsub' | 'presence'>,
  send?: PushSender,
) {
  return subscribe(bus, DELIVER_QUEUE, (event, { attempt }) => deliverNotification(ctx, event.data, attempt, send), ctx);
}

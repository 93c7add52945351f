import { presentFrame } from '../presenters/frame.presenter.ts';
import { publishToUsers } from './channels.ts';
import type { NotificationsContext } from './context.ts';
import type { NotificationCreated } from './events.ts';
import { sendPushes, type PushSender } from './send-pushes.ts';

/** Kinds worth waking a device for. */
const PUSHED_KINDS = new Set(['direct_message', 'mention']);

/**
 * A stored notification goes out as a `notification` frame to the user's sockets and, when
 * the user has no socket open anywhere, as a Web Push to their devices. On a retry (a push
 * failed) the frame is not sent again.
 */
export async function deliverNotification(
  ctx: Pick<NotificationsContext, 'db' | 'cache' | 'config' | 'logger' | 'vapid' | 'pubsub' | 'presence'>,
  created: NotificationCreated,
  attempt: number,
  send?: PushSender,
): Promise<void> {
  const { userId, notification } = created;
  // Decided before the frame goes out: a client that saw the frame and then disconnected
  // does not get the same notification pushed as well.
  const push = PUSHED_KINDS.has(notification.kind) && !(await ctx.presence.isOnline(userId));
  if (attempt === 1) await publishToUsers(ctx.pubsub, [userId], presentFrame({ type: 'notification', data: notification }));
  if (push) await sendPushes(ctx, userId, notification, send);
}

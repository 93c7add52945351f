import { notificationFrameDataSchema } from '@parley/contracts';
import { z } from 'zod';

/**
 * The service's own event: a notification was stored. It goes through this service's outbox
 * (in the transaction that stored it) to its own `notifications.deliver` queue, which sends the
 * `notification` frame and the Web Push. Nobody else consumes it, so it is not part of
 * @parley/contracts; the routing key is `notification.created`.
 */
export const NOTIFICATION_CREATED = 'notification.created';
export const PRODUCER = 'notifications';

export const notificationCreatedSchema = z.object({
  userId: z.guid(),
  notification: notificationFrameDataSchema,
});
export type NotificationCreated = z.infer<typeof notificationCreatedSchema>;

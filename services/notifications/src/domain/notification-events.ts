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
  notification: z.object({
    id: z.guid(),
    kind: z.string(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
    conversationId: z.guid().optional(),
    messageId: z.guid().optional(),
    groupId: z.guid().optional(),
    actorId: z.guid().optional(),
    preview: z.string().optional(),
  }),
});
export type NotificationCreated = z.infer<typeof notificationCreatedSchema>;

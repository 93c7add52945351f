import { eventParser, notificationFrameDataSchema } from '@parley/contracts';
import { eventProducer, type ContractEvents } from '@parley/kit';
import { z } from 'zod';

/**
 * The service's own event: a notification was stored. It goes through this service's outbox
 * (in the transaction that stored it) to its own `notifications.deliver` queue, which sends the
 * `notification` frame and the Web Push. Nobody else consumes it, so it is not part of
 * @parley/contracts; the routing key is `notification.created`.
 */
export const NOTIFICATION_CREATED = 'notification.created';

export const notificationCreatedSchema = z.object({
  userId: z.guid(),
  notification: notificationFrameDataSchema,
});
export type NotificationCreated = z.infer<typeof notificationCreatedSchema>;

/** Validates the service's own events, as parseEvent does the contracts' (for the deliver queue). */
export const parseOwnEvent = eventParser({ [NOTIFICATION_CREATED]: notificationCreatedSchema });

/**
 * notifications' events, the contracts' (presence.changed) and its own: `events.transaction(ctx,
 * async (tx, emit) => …)` writes them with the state (kit bus/events.ts).
 */
export const events = eventProducer<ContractEvents & { [NOTIFICATION_CREATED]: NotificationCreated }>('notifications');

import { parseEventOrLog, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { recordNotifications, STORE_BINDINGS, STORE_QUEUE } from '../domain/record-notifications.ts';

/** Stored notifications: once per event (inbox), shared by the instances. */
export function subscribeStore(bus: Bus, ctx: Pick<NotificationsContext, 'db' | 'directory' | 'outbox' | 'logger'>) {
  return bus.subscribe({ queue: STORE_QUEUE, bindings: [...STORE_BINDINGS], maxAttempts: 8, retryBaseMs: 250 }, async (envelope) => {
    const event = parseEventOrLog(envelope, ctx.logger, STORE_QUEUE);
    if (event) await recordNotifications(ctx, event);
  });
}

import { subscribe, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { recordNotifications } from '../domain/record-notifications.ts';
import { STORE_QUEUE } from './queues.ts';

/** Stored notifications: once per event (inbox), shared by the instances. */
export function subscribeStore(bus: Bus, ctx: Pick<NotificationsContext, 'db' | 'directory' | 'outbox' | 'logger'>) {
  return subscribe(bus, STORE_QUEUE, (event, delivery) => recordNotifications(ctx, event, delivery), ctx);
}

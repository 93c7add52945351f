import { createKeyedSerial, subscribe } from '@parley/kit';
import type { MessagesContext } from '../domain/context.ts';
import { syncGroup } from '../domain/sync-group.ts';
import { GROUPS_QUEUE } from './queues.ts';

/**
 * Consumes the group.* events messages needs (queue messages.groups). Events of one group are
 * handled one at a time, in the order consumed: a new group's membership warm-up must not write
 * its answer after a later role change or removal has dropped it.
 */
export function subscribeGroupEvents(ctx: Pick<MessagesContext, 'bus' | 'db' | 'cache' | 'groupsCache' | 'logger' | 'outbox'>) {
  const serial = createKeyedSerial();
  return subscribe(ctx.bus, GROUPS_QUEUE, (event, delivery) => serial(event.data.groupId, () => syncGroup(ctx, event, delivery)), ctx);
}

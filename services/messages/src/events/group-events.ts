import type { AnyEvent } from '@parley/contracts';
import { createKeyedSerial, parseEventOrLog } from '@parley/kit';
import type { MessagesContext } from '../domain/context.ts';
import { GROUPS_QUEUE, syncGroup, type GroupEvent } from '../domain/sync-group.ts';

export const GROUP_EVENT_TYPES = [
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'group.member_role_changed',
] as const;

const isGroupEvent = (event: AnyEvent): event is GroupEvent => (GROUP_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * Consumes the group.* events messages needs (queue messages.groups); malformed ones are logged
 * and dropped. Events of one group are handled one at a time, in the order consumed: a new
 * group's membership warm-up must not write its answer after a later role change or removal
 * has dropped it.
 */
export function subscribeGroupEvents(ctx: Pick<MessagesContext, 'bus' | 'db' | 'cache' | 'groupsCache' | 'logger' | 'outbox'>) {
  const serial = createKeyedSerial();
  return ctx.bus.subscribe({ queue: GROUPS_QUEUE, bindings: GROUP_EVENT_TYPES }, async (envelope) => {
    const event = parseEventOrLog(envelope, ctx.logger, GROUPS_QUEUE);
    if (event && isGroupEvent(event)) await serial(event.data.groupId, () => syncGroup(ctx, event));
  });
}

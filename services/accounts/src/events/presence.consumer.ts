import { InvalidEventError, parseEvent } from '@parley/contracts';
import type { Bus } from '@parley/kit';
import { applyPresenceChange } from '../domain/apply-presence-change.ts';
import type { AccountsContext } from '../domain/context.ts';

export const PRESENCE_QUEUE = 'accounts.presence';

/** notifications' presence.changed → the presence others see on profiles (docs/presence.md). */
export function subscribePresence(bus: Bus, ctx: Pick<AccountsContext, 'db' | 'cache' | 'outbox' | 'logger'>) {
  return bus.subscribe({ queue: PRESENCE_QUEUE, bindings: ['presence.changed'] }, async (envelope) => {
    let event;
    try {
      event = parseEvent(envelope);
    } catch (error) {
      if (!(error instanceof InvalidEventError)) throw error;
      ctx.logger.error({ err: error, eventId: envelope.id, type: envelope.type }, 'dropping a malformed presence event');
      return;
    }
    if (event.type === 'presence.changed') await applyPresenceChange(ctx, event);
  });
}

import { parseEventOrLog, type Bus } from '@parley/kit';
import { applyPresenceChange } from '../domain/apply-presence-change.ts';
import type { AccountsContext } from '../domain/context.ts';

export const PRESENCE_QUEUE = 'accounts.presence';

/** notifications' presence.changed → the presence others see on profiles (docs/presence.md). */
export function subscribePresence(bus: Bus, ctx: Pick<AccountsContext, 'db' | 'cache' | 'outbox' | 'logger'>) {
  return bus.subscribe({ queue: PRESENCE_QUEUE, bindings: ['presence.changed'] }, async (envelope) => {
    const event = parseEventOrLog(envelope, ctx.logger, PRESENCE_QUEUE);
    if (event?.type === 'presence.changed') await applyPresenceChange(ctx, event);
  });
}

import { subscribe, type Bus } from '@parley/kit';
import { applyPresenceChange } from '../domain/apply-presence-change.ts';
import type { AccountsContext } from '../domain/context.ts';
import { PRESENCE_QUEUE } from './queues.ts';

/** notifications' presence.changed → the presence others see on profiles (docs/presence.md). */
export function subscribePresence(bus: Bus, ctx: Pick<AccountsContext, 'db' | 'cache' | 'outbox' | 'logger'>) {
  return subscribe(bus, PRESENCE_QUEUE, (event) => applyPresenceChange(ctx, event), ctx);
}

import type { DomainEvent } from '@parley/contracts';
import { recordPresence } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';
import { events } from './events.ts';
import { invalidateUser } from './user-cache.ts';

/**
 * notifications' presence.changed: what others see of the user (profiles, search, contacts,
 * gRPC) becomes what the `presence` frames told them. Idempotent and order-proof by event id
 * (a repeated or older event changes nothing), so it needs no inbox row per connect. When the
 * change ends an idle-away, the user's status goes back to online, with its event.
 */
export async function applyPresenceChange(ctx: Pick<AccountsContext, 'db' | 'cache' | 'outbox'>, event: DomainEvent<'presence.changed'>): Promise<void> {
  const { userId, status } = event.data;
  const applied = await events.transaction(ctx, async (tx, emit) => {
    const result = await recordPresence(tx, userId, { presence: status, eventId: event.id, at: new Date(event.occurredAt) });
    if (result?.awayEnded) emit('user.status_changed', { userId, status: 'online' });
    return result;
  });
  if (!applied) return;
  await invalidateUser(ctx.cache, userId);
}

import { advanceReadState } from '../db/read-state.repository.ts';
import type { MessagesContext } from './context.ts';
import { emit } from './events.ts';
import { assertMember } from './membership.ts';
import { invalidateRecent } from './recent-cache.ts';

/**
 * The caller has read the conversation up to seq (clamped to its last seq). The mark never
 * moves backwards; read.updated is emitted only when it moved.
 */
export async function markRead(ctx: MessagesContext, userId: string, conversationId: string, seq: number): Promise<void> {
  const access = await assertMember(ctx, conversationId, userId);
  const moved = await ctx.db.transaction(async (tx) => {
    const mark = await advanceReadState(tx, access, seq);
    if (mark === undefined) return false;
    await emit(tx, 'read.updated', { conversationId: access.conversation.id, userId, seq: mark });
    return true;
  });
  if (moved) {
    ctx.outbox.notify();
    await invalidateRecent(ctx.cache, [userId]);
  }
}

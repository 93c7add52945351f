import { advanceReadState } from '../db/read-state.repository.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { assertMember } from './membership.ts';
import { invalidateRecent } from './recent-cache.ts';

/**
 * The caller has read the conversation up to seq (clamped to its last seq). The mark never
 * moves backwards; read.updated is emitted only when it moved.
 */
export async function markRead(ctx: MessagesContext, userId: string, conversationId: string, seq: number): Promise<void> {
  const access = await assertMember(ctx, conversationId, userId);
  const moved = await events.transaction(ctx, async (tx, emit) => {
    const mark = await advanceReadState(tx, access, seq);
    if (mark === undefined) return false;
    emit('read.updated', { conversationId: access.conversation.id, userId, seq: mark });
    return true;
  });
  if (moved) {
    await invalidateRecent(ctx.cache, [userId]);
  }
}

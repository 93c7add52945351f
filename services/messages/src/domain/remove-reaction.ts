import { notFound } from '@parley/kit';
import { lockMessage } from '../db/message.repository.ts';
import { countEmoji, deleteReaction } from '../db/reaction.repository.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { conversationMemberIds } from './membership.ts';
import { assertMessageAccess } from './message-access.ts';
import { invalidateRecent } from './recent-cache.ts';

/**
 * The caller takes back a reaction; idempotent (removing one that is not there changes and
 * emits nothing). On a deleted message, whose reactions are hidden, it is removed silently.
 */
export async function removeReaction(ctx: MessagesContext, userId: string, messageId: string, emoji: string): Promise<void> {
  const access = await assertMessageAccess(ctx, messageId, userId);
  const recipients = await conversationMemberIds(ctx, access.conversation);
  const changed = await events.transaction(ctx, async (tx, emit) => {
    const message = await lockMessage(tx, access, messageId);
    if (!message) throw notFound('message');
    if (!(await deleteReaction(tx, messageId, userId, emoji))) return false;
    if (message.deleted_at) return false;
    emit('reaction.updated', {
      conversationId: message.conversation_id,
      messageId,
      userId,
      emoji,
      action: 'removed',
      count: await countEmoji(tx, messageId, emoji),
      recipients,
    });
    return true;
  });
  if (changed) {
    // Chat lists show the last message with its reactions.
    await invalidateRecent(ctx.cache, recipients);
  }
}

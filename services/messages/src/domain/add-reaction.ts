import { conflict, notFound } from '@parley/kit';
import { lockMessage } from '../db/message.repository.ts';
import { countDistinctEmoji, countEmoji, insertReaction } from '../db/reaction.repository.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { conversationMemberIds } from './membership.ts';
import { assertMessageAccess } from './message-access.ts';
import { invalidateRecent } from './recent-cache.ts';

/**
 * The caller reacts to a message with an emoji; idempotent (the same reaction twice is one, and
 * emits nothing the second time). A message carries at most MESSAGE_MAX_REACTIONS distinct
 * emoji: a new one beyond that answers 409. A deleted message takes no reactions (409).
 */
export async function addReaction(ctx: MessagesContext, userId: string, messageId: string, emoji: string): Promise<void> {
  const access = await assertMessageAccess(ctx, messageId, userId);
  const recipients = await conversationMemberIds(ctx, access.conversation);
  const changed = await events.transaction(ctx, async (tx, emit) => {
    // The lock makes concurrent reactions to one message take turns, so the cap holds.
    const message = await lockMessage(tx, access, messageId);
    if (!message) throw notFound('message');
    if (message.deleted_at) throw conflict('The message was deleted; it takes no reactions.');
    const existing = await countEmoji(tx, messageId, emoji);
    if (existing === 0 && (await countDistinctEmoji(tx, messageId)) >= ctx.config.MESSAGE_MAX_REACTIONS) {
      throw conflict(`A message can carry at most ${ctx.config.MESSAGE_MAX_REACTIONS} different reactions.`);
    }
    if (!(await insertReaction(tx, messageId, userId, emoji))) return false;
    emit('reaction.updated', {
      conversationId: message.conversation_id,
      messageId,
      userId,
      emoji,
      action: 'added',
      count: existing + 1,
      recipients,
    });
    return true;
  });
  if (changed) {
    // Chat lists show the last message with its reactions.
    await invalidateRecent(ctx.cache, recipients);
  }
}

import { conflict, forbidden, notFound } from '@parley/kit';
import { lockMessage, updateMessageBody } from '../db/message.repository.ts';
import { presentMessageWithParts } from '../presenters/message.presenter.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { conversationMemberIds } from './membership.ts';
import { resolveMentions } from './mentions.ts';
import { assertMessageAccess } from './message-access.ts';
import { oneWithParts, type MessageWithParts } from './message-parts.ts';
import { invalidateRecent } from './recent-cache.ts';

/**
 * The author changes a message's body: editedAt is set and message.updated emitted. Other
 * members get 403, non-members 404; a deleted message cannot be edited (409). The same body
 * again changes nothing.
 */
export async function editMessage(ctx: MessagesContext, userId: string, messageId: string, body: string): Promise<MessageWithParts> {
  const access = await assertMessageAccess(ctx, messageId, userId);
  const [mentions, recipients] = await Promise.all([resolveMentions(ctx, access.conversation, userId, body), conversationMemberIds(ctx, access.conversation)]);
  const { row, changed } = await events.transaction(ctx, async (tx, emit) => {
    const current = await lockMessage(tx, access, messageId);
    if (!current) throw notFound('message');
    if (current.sender_id !== userId) throw forbidden('Only the author can edit a message.');
    if (current.deleted_at) throw conflict('The message was deleted; it cannot be edited.');
    if (current.body === body) return { row: current, changed: false };
    const updated = await updateMessageBody(tx, access, messageId, body, mentions);
    // The event carries the message as clients get it: presented, without a viewer.
    emit('message.updated', { message: presentMessageWithParts(await oneWithParts({ db: tx }, updated, null)), recipients });
    return { row: updated, changed: true };
  });
  if (changed) {
    await invalidateRecent(ctx.cache, recipients);
  }
  return oneWithParts(ctx, row, userId);
}

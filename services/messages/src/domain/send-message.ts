import { badRequest, newId } from '@parley/kit';
import { takeNextSeq } from '../data/conversation.repository.ts';
import { findByClientMessageId, findMessage, insertMessage, type MessageRow } from '../data/message.repository.ts';
import { presentMessage, type MessageView } from '../presenters/message.presenter.ts';
import { attachFiles } from './attach-files.ts';
import type { MessagesContext } from './context.ts';
import { emit } from './events.ts';
import { assertMember, conversationMemberIds } from './membership.ts';
import { resolveMentions } from './mentions.ts';
import { viewMessages, viewAttachments } from './message-views.ts';
import { hitLimit } from './rate-limits.ts';
import { invalidateRecent } from './recent-cache.ts';

export interface SendMessageInput {
  body: string;
  clientMessageId: string;
  replyToId?: string | null | undefined;
  attachmentIds?: readonly string[] | undefined;
}

/** Thrown inside the transaction when a concurrent resend won: rolls back the seq it took. */
class ResentMessage extends Error {}

/**
 * Sends a message. Idempotent per (sender, conversation, clientMessageId): a resend answers the
 * first message (`created: false`), also when the resends race each other. The seq comes from
 * the conversation row, incremented in the same transaction as the insert, so seqs have no
 * gaps and no duplicates whatever the number of concurrent senders.
 */
export async function sendMessage(
  ctx: MessagesContext,
  userId: string,
  conversationId: string,
  input: SendMessageInput,
): Promise<{ message: MessageView; created: boolean }> {
  const access = await assertMember(ctx, conversationId, userId);
  const earlier = await findByClientMessageId(ctx.db, access, input.clientMessageId);
  if (earlier) return { message: await viewOne(ctx, earlier, userId), created: false };

  await hitLimit(ctx.cache, `messages:send:${userId}`, ctx.config.SEND_RATE_PER_MINUTE, 60);
  const [mentions, recipients] = await Promise.all([
    resolveMentions(ctx, access.conversation, userId, input.body),
    conversationMemberIds(ctx, access.conversation),
  ]);
  const fileIds = [...new Set(input.attachmentIds ?? [])].map((id) => id.toLowerCase());

  let message: MessageView;
  try {
    message = await ctx.db.transaction(async (tx) => {
      if (input.replyToId && !(await findMessage(tx, access, input.replyToId.toLowerCase()))) {
        throw badRequest('replyToId must be a message of this conversation.', { 'body.replyToId': ['is not a message of this conversation'] });
      }
      const { seq, at } = await takeNextSeq(tx, access.conversation.id);
      const row = await insertMessage(tx, access, {
        id: newId(),
        seq,
        body: input.body,
        clientMessageId: input.clientMessageId,
        replyToId: input.replyToId?.toLowerCase() ?? null,
        mentions,
        createdAt: at,
      });
      if (!row) throw new ResentMessage();
      const attachments =
        fileIds.length > 0
          ? viewAttachments(await attachFiles(tx, { messageId: row.id, conversationId: row.conversation_id, senderId: userId, fileIds }))
          : [];
      const view = presentMessage(row, { attachments, reactions: [] });
      await emit(tx, 'message.created', { message: view, mentions, recipients });
      return view;
    });
  } catch (error) {
    if (!(error instanceof ResentMessage)) throw error;
    const winner = await findByClientMessageId(ctx.db, access, input.clientMessageId);
    if (!winner) throw new Error('a resent message vanished', { cause: error });
    return { message: await viewOne(ctx, winner, userId), created: false };
  }
  ctx.outbox.notify();
  await invalidateRecent(ctx.cache, recipients);
  return { message, created: true };
}

async function viewOne(ctx: MessagesContext, row: MessageRow, viewerId: string): Promise<MessageView> {
  const [view] = await viewMessages(ctx, [row], viewerId);
  if (!view) throw new Error(`message ${row.id} could not be presented`);
  return view;
}

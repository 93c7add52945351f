import { badRequest, makeEvent, newId, type AppError, type Db, type Queryable } from '@parley/kit';
import { findByClientMessageId, sendMessageRow, type MessageRow, type SendInput, type SendOutcome } from '../db/message.repository.ts';
import { presentMessage, type MessageView } from '../presenters/message.presenter.ts';
import { attachFiles } from './attach-files.ts';
import { batchedSend } from './send-batcher.ts';
import type { MessagesContext } from './context.ts';
import { emit, PRODUCER } from './events.ts';
import { assertMember, conversationMemberIds, type Membership } from './membership.ts';
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

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;

const badReply = (): AppError =>
  badRequest('replyToId must be a message of this conversation.', { 'body.replyToId': ['is not a message of this conversation'] });

/**
 * Sends a message. Idempotent per (sender, conversation, clientMessageId): a resend answers the
 * first message (`created: false`), also when the resends race each other. The seq comes from
 * the conversation row, incremented in the same transaction as the insert, so seqs have no
 * gaps and no duplicates whatever the number of concurrent senders.
 *
 * A plain message (no attachments) is one database round trip: send_message() checks for an
 * earlier send, takes the seq, inserts the message and its message.created outbox row; under
 * load concurrent sends share one call and one commit (send-batcher.ts).
 * With attachments the same call runs in a transaction that then attaches the files, so a bad
 * file id rolls the message back.
 */
export async function sendMessage(
  ctx: MessagesContext,
  userId: string,
  conversationId: string,
  input: SendMessageInput,
): Promise<{ message: MessageView; created: boolean }> {
  const access = await assertMember(ctx, conversationId, userId);
  // Issued together, so on Redis the counter and the members go out in one write.
  const [limit, mentions, groupRecipients] = await Promise.allSettled([
    hitLimit(ctx.cache, `messages:send:${userId}`, ctx.config.SEND_RATE_PER_MINUTE, 60),
    resolveMentions(ctx, access.conversation, userId, input.body),
    // A direct conversation's members are read by send_message() itself.
    access.conversation.type === 'direct' ? null : conversationMemberIds(ctx, access.conversation),
  ]);
  if (limit.status === 'rejected') {
    // Over the limit, a resend is still answered: it sends nothing new.
    const earlier = await findByClientMessageId(ctx.db, access, input.clientMessageId);
    if (earlier) return { message: await viewOne(ctx, earlier, userId), created: false };
    throw limit.reason;
  }
  if (mentions.status === 'rejected') throw mentions.reason;
  if (groupRecipients.status === 'rejected') throw groupRecipients.reason;
  const fileIds = [...new Set(input.attachmentIds ?? [])].map((id) => id.toLowerCase());
  const message: Draft = {
    id: newId(),
    conversation_id: access.conversation.id,
    sender_id: userId,
    body: input.body,
    client_message_id: input.clientMessageId,
    reply_to_id: input.replyToId?.toLowerCase() ?? null,
    mentions: mentions.value,
    created_at: new Date(),
    edited_at: null,
    deleted_at: null,
  };

  let sent: Sent;
  try {
    sent =
      fileIds.length === 0
        ? await sendPlain(ctx.db, access, message, groupRecipients.value)
        : await ctx.db.transaction((tx) => sendWithFiles(tx, access, message, groupRecipients.value, fileIds));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent resend committed first: answer its message.
    const winner = await findByClientMessageId(ctx.db, access, input.clientMessageId);
    if (!winner) throw new Error('a resent message vanished', { cause: error });
    return { message: await viewOne(ctx, winner, userId), created: false };
  }
  if (sent.outcome === 'bad_reply') throw badReply();
  if (sent.outcome === 'resent') return { message: await viewOne(ctx, sent.row, userId), created: false };
  ctx.outbox.notify();
  await invalidateRecent(ctx.cache, sent.recipients);
  return { message: sent.view, created: true };
}

type Draft = Omit<MessageRow, 'seq'>;
type Sent = { outcome: 'created'; view: MessageView; recipients: string[] } | Exclude<SendOutcome, { outcome: 'created' }>;

const sendInput = (draft: Draft, recipients: readonly string[] | null, event: SendInput['event']): SendInput => ({
  id: draft.id,
  body: draft.body,
  clientMessageId: draft.client_message_id,
  replyToId: draft.reply_to_id,
  mentions: draft.mentions,
  createdAt: draft.created_at,
  recipients,
  event,
});

/** One statement, its event included: the seq and recipients are filled into the event there. */
async function sendPlain(db: Db, access: Membership, draft: Draft, recipients: readonly string[] | null): Promise<Sent> {
  const view = presentMessage({ ...draft, seq: 0 }, { attachments: [], reactions: [] });
  const event = makeEvent('message.created', { message: view, mentions: draft.mentions, recipients: recipients ?? [] }, PRODUCER);
  const result = await batchedSend(db, access, sendInput(draft, recipients, event));
  if (result.outcome !== 'created') return result;
  return { outcome: 'created', view: { ...view, seq: result.row.seq }, recipients: result.recipients };
}

/** Inside a transaction: the message, then its files (400 rolls both back), then its event. */
async function sendWithFiles(
  tx: Queryable,
  access: Membership,
  draft: Draft,
  recipients: readonly string[] | null,
  fileIds: readonly string[],
): Promise<Sent> {
  const result = await sendMessageRow(tx, access, sendInput(draft, recipients, null));
  if (result.outcome !== 'created') return result;
  const attachments = viewAttachments(
    await attachFiles(tx, { messageId: draft.id, conversationId: draft.conversation_id, senderId: draft.sender_id, fileIds }),
  );
  const view = presentMessage(result.row, { attachments, reactions: [] });
  await emit(tx, 'message.created', { message: view, mentions: draft.mentions, recipients: result.recipients });
  return { outcome: 'created', view, recipients: result.recipients };
}

async function viewOne(ctx: MessagesContext, row: MessageRow, viewerId: string): Promise<MessageView> {
  const [view] = await viewMessages(ctx, [row], viewerId);
  if (!view) throw new Error(`message ${row.id} could not be presented`);
  return view;
}

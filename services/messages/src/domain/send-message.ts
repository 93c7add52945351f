import { badRequest, errorCode, newId, notFound, type AppError, type CachedRead, type Emit, type GroupMember, type Queryable } from '@parley/kit';
import { findByClientMessageId, sendMessageRow, type MessageRow, type SendInput, type SendOutcome } from '../db/message.repository.ts';
import { presentAttachment } from '../presenters/file.presenter.ts';
import { presentMessage, presentMessageWithParts, type MessageView } from '../presenters/message.presenter.ts';
import { attachFiles } from './attach-files.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { assertMember, assertSender, groupMembers, type CachedMembership, type SendAccess } from './membership.ts';
import { resolveMentions } from './mentions.ts';
import { oneWithParts } from './message-parts.ts';
import { invalidateRecent } from './recent-cache.ts';

/** What the route read from the cache with the caller's session (ReadAhead), and the rate count it started in that round trip. */
export interface SendReads {
  /** The cache's answer on the sender's membership. */
  membership?: CachedRead<CachedMembership> | undefined;
  /** The group's cached members (unused for a direct conversation). */
  members?: CachedRead<GroupMember[]> | undefined;
  /** The sender's rate count (countSend), started with the session read; absent: the send counts now. */
  count?: Promise<void> | undefined;
}

/**
 * Counts one send attempt against the sender's SEND_RATE_PER_MINUTE (429 over it). The route
 * starts it alongside the session read, before the session is known to be live: a refusal that
 * is never awaited (the session had ended) is not an unhandled rejection.
 */
export function countSend(ctx: Pick<MessagesContext, 'limits' | 'config'>, userId: string): Promise<void> {
  const count = ctx.limits.hit(`messages:send:${userId}`, ctx.config.SEND_RATE_PER_MINUTE, 60, 'You are sending messages too fast; try again shortly.');
  count.catch(() => undefined);
  return count;
}

export interface SendMessageInput {
  body: string;
  clientMessageId: string;
  replyToId?: string | null | undefined;
  attachmentIds?: readonly string[] | undefined;
}

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (error: unknown): boolean => errorCode(error) === UNIQUE_VIOLATION;

const badReply = (): AppError => badRequest('replyToId must be a message of this conversation.', { 'body.replyToId': ['is not a message of this conversation'] });

/**
 * Sends a message. Idempotent per (sender, conversation, clientMessageId): a resend answers the
 * first message (`created: false`), also when the resends race each other. The seq comes from
 * the conversation row, incremented in the same transaction as the insert, so seqs have no
 * gaps and no duplicates whatever the number of concurrent senders.
 *
 * A plain message (no attachments) from a sender whose membership is cached is one cache round
 * trip besides the session's (the rate counter; the membership and the group's members are read
 * with the session, see `reads`) and one database round trip:
 * send_message() checks that the conversation is there, checks for an earlier send, takes the
 * seq, inserts the message and its message.created outbox row; under load concurrent sends share
 * one call and one commit (send-batcher.ts).
 * With attachments the same call runs in a transaction that then attaches the files, so a bad
 * file id rolls the message back.
 *
 * It answers the message presented: the hot path presents it once, for its event, and that same
 * view is the live frame's and the answer's.
 */
export async function sendMessage(
  ctx: MessagesContext,
  userId: string,
  conversationId: string,
  input: SendMessageInput,
  reads: SendReads = {},
): Promise<{ message: MessageView; created: boolean }> {
  // The route started the counter with the session read (one round trip for both); whatever that
  // read did not hold (the membership answer, a group's cached members) is read now, in one
  // tick. The counter therefore also counts a non-member's attempts.
  const [sender, limit, cachedMembers] = await Promise.allSettled([
    assertSender(ctx, conversationId, userId, reads.membership),
    reads.count ?? countSend(ctx, userId),
    reads.members ? [reads.members] : ctx.groupsCache.memberLists.read(ctx.cache, [conversationId.toLowerCase()]),
  ]);
  if (sender.status === 'rejected') throw sender.reason;
  const access = sender.value;
  if (limit.status === 'rejected') {
    // Over the limit, a resend is still answered: it sends nothing new.
    const earlier = await findByClientMessageId(ctx.db, access, input.clientMessageId);
    if (earlier) return { message: await viewOne(ctx, earlier, userId), created: false };
    throw limit.reason;
  }
  const groupRecipients = async (): Promise<string[] | null> => {
    // A direct conversation's members are read by send_message() itself.
    if (access.conversation.type === 'direct') return null;
    const read = cachedMembers.status === 'fulfilled' ? cachedMembers.value[0] : undefined;
    const members =
      read?.value ?? (read ? ((await ctx.groupsCache.loadMembers(access.conversation.id, read)) ?? []) : await groupMembers(ctx, access.conversation.id));
    return members.map((m) => m.userId);
  };
  const [mentions, recipients] = await Promise.all([resolveMentions(ctx, access.conversation, userId, input.body), groupRecipients()]);
  const fileIds = [...new Set(input.attachmentIds ?? [])].map((id) => id.toLowerCase());
  const message: Draft = {
    id: newId(),
    conversation_id: access.conversation.id,
    sender_id: userId,
    body: input.body,
    client_message_id: input.clientMessageId,
    reply_to_id: input.replyToId?.toLowerCase() ?? null,
    mentions,
    created_at: new Date(),
    edited_at: null,
    deleted_at: null,
  };
  const sendAs = (as: SendAccess): Promise<Sent> =>
    fileIds.length === 0
      ? sendPlain(ctx, as, message, recipients)
      : events.transaction(ctx, (tx, emit) => sendWithFiles(tx, emit, as, message, recipients, fileIds));

  let sent: Sent;
  try {
    sent = await sendAs(access);
    if (sent.outcome === 'gone' || sent.outcome === 'bad_reply') {
      // The membership may have come from the cache alone: now check it the long way. That
      // answers 404 for a conversation that is gone or a membership that ended, and makes a
      // group's conversation row that did not exist yet, for the one retry.
      const member = await assertMember(ctx, access.conversation.id, userId);
      if (sent.outcome === 'gone') sent = await sendAs(member);
    }
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent resend committed first: answer its message.
    const winner = await findByClientMessageId(ctx.db, access, input.clientMessageId);
    if (!winner) throw new Error('a resent message vanished', { cause: error });
    return { message: await viewOne(ctx, winner, userId), created: false };
  }
  if (sent.outcome === 'gone') throw notFound('conversation');
  if (sent.outcome === 'bad_reply') throw badReply();
  if (sent.outcome === 'resent') return { message: await viewOne(ctx, sent.row, userId), created: false };
  // Live (issued before the answer, so one sender's messages go out in order); the relay, woken
  // at the commit, publishes for the durable consumers from its timer, after this.
  ctx.publishLive(sent.view, message.mentions, sent.recipients);
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

/**
 * One statement, its event included: the seq and recipients are filled into the event there
 * (send_message() writes it through the kit's enqueue_event()); the relay is woken when it
 * committed a new message, with the longer linger of events that reach clients another way.
 */
async function sendPlain(
  ctx: Pick<MessagesContext, 'sendBatched' | 'outbox'>,
  access: SendAccess,
  draft: Draft,
  recipients: readonly string[] | null,
): Promise<Sent> {
  const view = presentMessage({ ...draft, seq: 0 }, { attachments: [], reactions: [] });
  const event = events.event('message.created', { message: view, mentions: draft.mentions, recipients: recipients ?? [] });
  const result = await events.statement(
    ctx,
    () => ctx.sendBatched(access, sendInput(draft, recipients, event)),
    (sent) => sent.outcome === 'created',
    // The message goes to sockets by the live path; its event only feeds the durable consumers.
    { deferrable: true },
  );
  if (result.outcome !== 'created') return result;
  return { outcome: 'created', view: { ...view, seq: result.row.seq }, recipients: result.recipients };
}

/** Inside a transaction: the message, then its files (400 rolls both back), then its event. */
async function sendWithFiles(
  tx: Queryable,
  emit: Emit,
  access: SendAccess,
  draft: Draft,
  recipients: readonly string[] | null,
  fileIds: readonly string[],
): Promise<Sent> {
  const result = await sendMessageRow(tx, access, sendInput(draft, recipients, null));
  if (result.outcome !== 'created') return result;
  const attachments = await attachFiles(tx, { messageId: draft.id, conversationId: draft.conversation_id, senderId: draft.sender_id, fileIds });
  const view = presentMessage(result.row, { attachments: attachments.map(presentAttachment), reactions: [] });
  emit('message.created', { message: view, mentions: draft.mentions, recipients: result.recipients });
  return { outcome: 'created', view, recipients: result.recipients };
}

const viewOne = async (ctx: MessagesContext, row: MessageRow, viewerId: string): Promise<MessageView> =>
  presentMessageWithParts(await oneWithParts(ctx, row, viewerId));

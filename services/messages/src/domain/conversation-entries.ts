import type { ConversationSummaryRow } from '../db/conversation.repository.ts';
import { findMessagesBySeq } from '../db/message.repository.ts';
import type { MessagesContext } from './context.ts';
import { withParts, type MessageWithParts } from './message-parts.ts';
import { getProfiles } from './user-profiles.ts';

/** One entry of a viewer's chat list: the conversation, its title for the viewer and its last message. */
export interface ConversationEntry {
  row: ConversationSummaryRow;
  /** The other user's display name for a direct chat, the group's name for a group chat (null until the group.created event has been seen). */
  title: string | null;
  lastMessage: MessageWithParts | null;
}

/** Chat-list entries for the viewer: titles (the other user's display name for direct chats) and last messages. */
export async function loadConversationEntries(
  ctx: Pick<MessagesContext, 'db' | 'cache' | 'accounts' | 'config' | 'logger'>,
  viewerId: string,
  rows: readonly ConversationSummaryRow[],
): Promise<ConversationEntry[]> {
  const others = rows.flatMap((row) => (row.type === 'direct' && row.other_user_id ? [row.other_user_id] : []));
  const [profiles, lastRows] = await Promise.all([
    getProfiles(ctx, others),
    findMessagesBySeq(
      ctx.db,
      rows.filter((row) => row.last_seq > 0).map((row) => ({ conversationId: row.id, seq: row.last_seq })),
    ),
  ]);
  const lastMessages = new Map((await withParts(ctx, lastRows, viewerId)).map((m) => [m.conversation_id, m]));
  return rows.map((row) => ({
    row,
    title: row.type === 'direct' ? (row.other_user_id ? (profiles.get(row.other_user_id)?.displayName ?? null) : null) : row.title,
    lastMessage: lastMessages.get(row.id) ?? null,
  }));
}

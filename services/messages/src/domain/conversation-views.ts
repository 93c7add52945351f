import type { ConversationSummaryRow } from '../db/conversation.repository.ts';
import { findMessagesBySeq } from '../db/message.repository.ts';
import { presentConversationSummary, type ConversationSummary } from '../presenters/conversation.presenter.ts';
import type { MessagesContext } from './context.ts';
import { viewMessages } from './message-views.ts';
import { getProfiles } from './user-profiles.ts';

/** Chat-list entries for the viewer: titles (the other user's display name for direct chats) and last messages. */
export async function viewConversations(
  ctx: Pick<MessagesContext, 'db' | 'cache' | 'accounts' | 'config' | 'logger'>,
  viewerId: string,
  rows: readonly ConversationSummaryRow[],
): Promise<ConversationSummary[]> {
  const others = rows.flatMap((row) => (row.type === 'direct' && row.other_user_id ? [row.other_user_id] : []));
  const [profiles, lastRows] = await Promise.all([
    getProfiles(ctx, others),
    findMessagesBySeq(
      ctx.db,
      rows.filter((row) => row.last_seq > 0).map((row) => ({ conversationId: row.id, seq: row.last_seq })),
    ),
  ]);
  const lastMessages = new Map((await viewMessages(ctx, lastRows, viewerId)).map((m) => [m.conversationId, m]));
  return rows.map((row) =>
    presentConversationSummary(row, {
      title: row.type === 'direct' ? (row.other_user_id ? (profiles.get(row.other_user_id)?.displayName ?? null) : null) : row.title,
      lastMessage: lastMessages.get(row.id) ?? null,
    }),
  );
}

import type { Conversation } from '@parley/contracts';
import type { ConversationRow } from '../db/conversation.repository.ts';
import type { ConversationEntry } from '../domain/conversation-entries.ts';
import { presentMessageWithParts } from './message.presenter.ts';

const iso = (date: Date | null): string | null => (date ? new Date(date).toISOString() : null);

/** What every member shares about a conversation (events). Groups: the group's name; direct: null. */
export function presentConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    type: row.type,
    title: row.type === 'group' ? row.title : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * One entry of the viewer's chat list. title: the other user's display name for a direct chat,
 * the group's name for a group chat (null until the group.created event has been seen).
 */
export function presentConversationSummary({ row, title, lastMessage }: ConversationEntry) {
  return {
    id: row.id,
    type: row.type,
    title,
    /** The other member of a direct conversation; null for groups. */
    otherUserId: row.type === 'direct' ? row.other_user_id : null,
    lastMessage: lastMessage ? presentMessageWithParts(lastMessage) : null,
    lastSeq: row.last_seq,
    lastReadSeq: row.last_read_seq,
    unreadCount: row.unread_count,
    lastMessageAt: iso(row.last_message_at),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export type ConversationSummary = ReturnType<typeof presentConversationSummary>;

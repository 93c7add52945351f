import type { MessageRow } from '../db/message.repository.ts';
import type { MessageWithParts, ReactionSummary } from '../domain/message-parts.ts';
import { presentAttachment } from './file.presenter.ts';

const iso = (date: Date | null): string | null => (date ? new Date(date).toISOString() : null);

/** An attachment as a message shows it (the files half presents it from its row). */
export type AttachmentView = {
  id: string;
  name: string;
  size: number;
  contentType: string;
  url: string;
  thumbnailUrl?: string | null;
};

export type ReactionView = {
  emoji: string;
  count: number;
  /** Whether the viewer reacted with it; left out in events, which have no viewer. */
  me?: boolean;
};

/** A message on the wire; a type alias (not an interface) so it fits the contracts' loose messageSchema. */
export type MessageView = {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  body: string;
  clientMessageId: string;
  replyToId: string | null;
  attachments: AttachmentView[];
  reactions: ReactionView[];
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
};

/**
 * A message on the wire (REST answers and events alike). A deleted message is a tombstone: it
 * keeps its id, seq, sender and times; its body is '' and its attachments and reactions are
 * hidden.
 */
export function presentMessage(row: MessageRow, parts: { attachments: AttachmentView[]; reactions: ReactionView[] }): MessageView {
  const deleted = row.deleted_at !== null;
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    senderId: row.sender_id,
    body: deleted ? '' : row.body,
    clientMessageId: row.client_message_id,
    replyToId: row.reply_to_id,
    attachments: deleted ? [] : parts.attachments,
    reactions: deleted ? [] : parts.reactions,
    createdAt: new Date(row.created_at).toISOString(),
    editedAt: iso(row.edited_at),
    deletedAt: iso(row.deleted_at),
  };
}

/** A message with its parts (domain/message-parts.ts; history and search pages bring them along). */
export const presentMessageWithParts = (message: MessageWithParts): MessageView =>
  presentMessage(message, { attachments: message.attachments.map(presentAttachment), reactions: message.reactions.map(presentReaction) });

const presentReaction = (r: ReactionSummary): ReactionView =>
  r.me === undefined ? { emoji: r.emoji, count: Number(r.count) } : { emoji: r.emoji, count: Number(r.count), me: r.me };

import type { Queryable } from '@parley/kit';
import type { MessageRow } from '../db/message.repository.ts';
import { summariseReactions } from '../db/reaction.repository.ts';
import { listAttachments, type AttachmentRow } from './attach-files.ts';

/** One emoji's reactions to a message; `me`: whether the viewer is among them, left out when there is no viewer (events). */
export interface ReactionSummary {
  emoji: string;
  count: number;
  me?: boolean;
}

/** A message with what it shows besides its row: its attachments and reaction summaries. */
export type MessageWithParts = MessageRow & { attachments: AttachmentRow[]; reactions: ReactionSummary[] };

/**
 * These messages with their attachments and reaction summaries, `me` set for the viewer;
 * viewerId null (events): `me` left out. A deleted message's are not read (it shows none).
 */
export async function withParts(deps: { db: Queryable }, rows: readonly MessageRow[], viewerId: string | null): Promise<MessageWithParts[]> {
  const live = rows.filter((row) => row.deleted_at === null).map((row) => row.id);
  // One after the other: deps.db may be an open transaction, which runs one query at a time.
  const reactions = await summariseReactions(deps.db, live, viewerId);
  const attachments = await listAttachments(deps.db, live);
  return rows.map((row) => ({
    ...row,
    attachments: attachments.get(row.id) ?? [],
    reactions: (reactions.get(row.id) ?? []).map((r) => (viewerId === null ? { emoji: r.emoji, count: r.count } : { emoji: r.emoji, count: r.count, me: r.me })),
  }));
}

/** As withParts, for one message. */
export async function oneWithParts(deps: { db: Queryable }, row: MessageRow, viewerId: string | null): Promise<MessageWithParts> {
  const [message] = await withParts(deps, [row], viewerId);
  if (!message) throw new Error(`message ${row.id} has no parts`);
  return message;
}

import type { Queryable } from '@parley/kit';
import type { MessageRow, MessageRowWithParts } from '../db/message.repository.ts';
import { summariseReactions } from '../db/reaction.repository.ts';
import { presentAttachment } from '../presenters/file.presenter.ts';
import { presentMessage, type AttachmentView, type MessageView } from '../presenters/message.presenter.ts';
import { listAttachments, type AttachmentRow } from './attach-files.ts';

export const viewAttachments = (rows: readonly AttachmentRow[]): AttachmentView[] => rows.map(presentAttachment);

/** As viewMessages, for rows whose query brought their reactions and attachments along. */
export const viewMessagesWithParts = (rows: readonly MessageRowWithParts[]): MessageView[] =>
  rows.map((row) =>
    presentMessage(row, {
      attachments: viewAttachments(row.attachments),
      reactions: row.reactions.map((r) => ({ emoji: r.emoji, count: Number(r.count), me: r.me })),
    }),
  );

/**
 * Messages as a viewer sees them: with their attachments and reaction summaries, `me` set for
 * the viewer. viewerId null (events): `me` left out.
 */
export async function viewMessages(deps: { db: Queryable }, rows: readonly MessageRow[], viewerId: string | null): Promise<MessageView[]> {
  const live = rows.filter((row) => row.deleted_at === null).map((row) => row.id);
  // One after the other: deps.db may be an open transaction, which runs one query at a time.
  const reactions = await summariseReactions(deps.db, live, viewerId);
  const attachments = await listAttachments(deps.db, live);
  return rows.map((row) =>
    presentMessage(row, {
      attachments: viewAttachments(attachments.get(row.id) ?? []),
      reactions: (reactions.get(row.id) ?? []).map((r) => (viewerId === null ? { emoji: r.emoji, count: r.count } : { emoji: r.emoji, count: r.count, me: r.me })),
    }),
  );
}

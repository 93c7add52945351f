import { badRequest, isUuid, type Queryable } from '@parley/kit';
import { findAttachmentsOfMessages, findOwnFilesForShare, insertAttachments, type AttachmentRow } from '../db/file.repository.ts';

export type { AttachmentRow } from '../db/file.repository.ts';

/** Most files one message may carry. */
export const MAX_ATTACHMENTS = 20;

export interface AttachFilesInput {
  messageId: string;
  conversationId: string;
  senderId: string;
  /** In the order the sender listed them; duplicates are ignored. */
  fileIds: readonly string[];
}

/**
 * Shares the sender's uploads in their new message (run inside the sending transaction): every
 * id must name a file this sender uploaded, otherwise nothing is attached and it answers 400
 * with errors['body.attachmentIds']. From then on members of the conversation may download them.
 */
export async function attachFiles(tx: Queryable, input: AttachFilesInput): Promise<AttachmentRow[]> {
  const fileIds = [...new Set(input.fileIds.map((id) => id.toLowerCase()))];
  if (fileIds.length === 0) return [];
  if (fileIds.length > MAX_ATTACHMENTS) {
    throw badRequest(`A message may carry at most ${MAX_ATTACHMENTS} files.`, {
      'body.attachmentIds': [`must list at most ${MAX_ATTACHMENTS} files`],
    });
  }
  const malformed = fileIds.filter((id) => !isUuid(id));
  const own = new Set(malformed.length ? [] : (await findOwnFilesForShare(tx, input.senderId, fileIds)).map((f) => f.id));
  const unknown = fileIds.filter((id) => !own.has(id));
  if (unknown.length > 0) {
    throw badRequest('Some attachments are not files you uploaded.', {
      'body.attachmentIds': unknown.map((id) => `${id} is not a file you uploaded`),
    });
  }
  await insertAttachments(tx, { messageId: input.messageId, conversationId: input.conversationId, fileIds });
  return findAttachmentsOfMessages(tx, [input.messageId]);
}

/** The attachments of these messages, each list in the order its sender gave; messages without any are absent. */
export async function listAttachments(db: Queryable, messageIds: readonly string[]): Promise<Map<string, AttachmentRow[]>> {
  const byMessage = new Map<string, AttachmentRow[]>();
  for (const row of await findAttachmentsOfMessages(db, [...new Set(messageIds)])) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push(row);
    byMessage.set(row.message_id, list);
  }
  return byMessage;
}

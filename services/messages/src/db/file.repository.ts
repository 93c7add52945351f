import type { Queryable } from '@parley/kit';

export interface FileRow {
  id: string;
  uploader_id: string;
  name: string;
  size: number;
  content_type: string;
  storage_key: string;
  thumbnail_key: string | null;
  created_at: Date;
}

/** A file as shared in one message. */
export interface AttachmentRow {
  message_id: string;
  conversation_id: string;
  file_id: string;
  name: string;
  size: number;
  content_type: string;
  thumbnail_key: string | null;
  position: number;
}

const FILE_COLUMNS = 'id, uploader_id, name, size, content_type, storage_key, thumbnail_key, created_at';
const ATTACHMENT_COLUMNS = `a.message_id, a.conversation_id, a.file_id, f.name, f.size, f.content_type, f.thumbnail_key, a.position`;

/** int8 arrives as a number from both drivers, but be sure: sizes are compared and sent as JSON. */
const normalise = <Row extends { size: number }>(row: Row): Row => ({ ...row, size: Number(row.size) });

export async function insertFile(
  db: Queryable,
  file: { id: string; uploaderId: string; name: string; size: number; contentType: string; storageKey: string; thumbnailKey: string | null },
): Promise<FileRow> {
  const { rows } = await db.query<FileRow>(
    `INSERT INTO files (id, uploader_id, name, size, content_type, storage_key, thumbnail_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${FILE_COLUMNS}`,
    [file.id, file.uploaderId, file.name, file.size, file.contentType, file.storageKey, file.thumbnailKey],
  );
  return normalise(rows[0]!);
}

export async function findFile(db: Queryable, id: string): Promise<FileRow | undefined> {
  const { rows } = await db.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM files WHERE id = $1`, [id]);
  return rows[0] && normalise(rows[0]);
}

/**
 * Of these files, the ones uploaded by uploaderId; locked (FOR KEY SHARE) until the
 * transaction ends, so the clean-up job cannot delete one being attached.
 */
export async function findOwnFilesForShare(db: Queryable, uploaderId: string, ids: readonly string[]): Promise<FileRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM files WHERE id = ANY($1::uuid[]) AND uploader_id = $2 FOR KEY SHARE`, [ids, uploaderId]);
  return rows.map(normalise);
}

export async function insertAttachments(db: Queryable, input: { messageId: string; conversationId: string; fileIds: readonly string[] }): Promise<void> {
  if (input.fileIds.length === 0) return;
  await db.query(
    `INSERT INTO message_attachments (message_id, file_id, conversation_id, position)
     SELECT $1, file_id, $2, (ordinality - 1)::int FROM unnest($3::uuid[]) WITH ORDINALITY AS t(file_id, ordinality)
     ON CONFLICT (message_id, file_id) DO NOTHING`,
    [input.messageId, input.conversationId, input.fileIds],
  );
}

/**
 * SQL for one message's attachments as a JSON array of AttachmentRow objects, in the order the
 * sender listed them, for a page query to carry; [] for a tombstone.
 */
export const attachmentsJsonOf = (messageAlias: string): string => `CASE WHEN ${messageAlias}.deleted_at IS NULL THEN
  (SELECT COALESCE(json_agg(json_build_object('message_id', a.message_id, 'conversation_id', a.conversation_id, 'file_id', a.file_id,
            'name', f.name, 'size', f.size, 'content_type', f.content_type, 'thumbnail_key', f.thumbnail_key, 'position', a.position)
            ORDER BY a.position, a.file_id), '[]')
     FROM message_attachments a JOIN files f ON f.id = a.file_id WHERE a.message_id = ${messageAlias}.id)
  ELSE '[]' END`;

/** The attachments of these messages, in the order their senders listed them. */
export async function findAttachmentsOfMessages(db: Queryable, messageIds: readonly string[]): Promise<AttachmentRow[]> {
  if (messageIds.length === 0) return [];
  const { rows } = await db.query<AttachmentRow>(
    `SELECT ${ATTACHMENT_COLUMNS} FROM message_attachments a JOIN files f ON f.id = a.file_id
      WHERE a.message_id = ANY($1::uuid[]) ORDER BY a.message_id, a.position, a.file_id`,
    [messageIds],
  );
  return rows.map(normalise);
}

/**
 * The conversations a file is shared in: those of its attachments to messages that still
 * stand (a deleted message no longer shares its files) in conversations that still exist.
 */
export async function findSharingConversationIds(db: Queryable, fileId: string): Promise<string[]> {
  const { rows } = await db.query<{ conversation_id: string }>(
    `SELECT DISTINCT a.conversation_id FROM message_attachments a
       JOIN messages m ON m.id = a.message_id AND m.deleted_at IS NULL
       JOIN conversations c ON c.id = a.conversation_id AND c.deleted_at IS NULL
      WHERE a.file_id = $1`,
    [fileId],
  );
  return rows.map((r) => r.conversation_id);
}

/**
 * Deletes up to `limit` files uploaded before `before` that no message references, and
 * returns them so their blobs can be removed. A file being attached right now is locked by
 * that transaction (findOwnFilesForShare) and skipped.
 */
export async function deleteUnreferencedFiles(db: Queryable, before: Date, limit: number): Promise<FileRow[]> {
  const { rows } = await db.query<FileRow>(
    `DELETE FROM files WHERE id IN (
       SELECT f.id FROM files f
        WHERE f.created_at < $1
          AND NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.file_id = f.id)
        ORDER BY f.created_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     AND NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.file_id = files.id)
     RETURNING ${FILE_COLUMNS}`,
    [before, limit],
  );
  return rows.map(normalise);
}

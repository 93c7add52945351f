import type { Queryable } from '@parley/kit';

export type NotificationKind = 'direct_message' | 'mention' | 'group_added';

export interface NotificationRow {
  id: string;
  user_id: string;
  kind: NotificationKind;
  conversation_id: string | null;
  message_id: string | null;
  group_id: string | null;
  actor_id: string | null;
  preview: string | null;
  created_at: Date;
  read_at: Date | null;
}

export interface NewNotification {
  id: string;
  userId: string;
  kind: NotificationKind;
  conversationId?: string | undefined;
  messageId?: string | undefined;
  groupId?: string | undefined;
  actorId?: string | undefined;
  preview?: string | undefined;
  sourceEventId: string;
}

const COLUMNS = 'id, user_id, kind, conversation_id, message_id, group_id, actor_id, preview, created_at, read_at';

/** Inserts notifications; one per (event, user), so a second insert for the same pair is skipped. Returns the rows created. */
export async function insertNotifications(db: Queryable, items: readonly NewNotification[]): Promise<NotificationRow[]> {
  if (items.length === 0) return [];
  const params: unknown[] = [];
  const values = items.map((item) => {
    const at = params.length;
    params.push(
      item.id,
      item.userId,
      item.kind,
      item.conversationId ?? null,
      item.messageId ?? null,
      item.groupId ?? null,
      item.actorId ?? null,
      item.preview ?? null,
      item.sourceEventId,
    );
    return `(${Array.from({ length: 9 }, (_, i) => `$${at + i + 1}`).join(', ')})`;
  });
  const { rows } = await db.query<NotificationRow>(
    `INSERT INTO notifications (id, user_id, kind, conversation_id, message_id, group_id, actor_id, preview, source_event_id)
     VALUES ${values.join(', ')}
     ON CONFLICT (source_event_id, user_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    params,
  );
  return rows;
}

/** A page of the user's notifications, newest first, strictly older than `beforeId` when given. */
export async function listNotifications(
  db: Queryable,
  userId: string,
  options: { unreadOnly: boolean; limit: number; beforeId?: string | undefined },
): Promise<NotificationRow[]> {
  const { rows } = await db.query<NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications
      WHERE user_id = $1
        AND ($2::uuid IS NULL OR id < $2::uuid)
        ${options.unreadOnly ? 'AND read_at IS NULL' : ''}
      ORDER BY id DESC
      LIMIT $3`,
    [userId, options.beforeId ?? null, options.limit],
  );
  return rows;
}

/** Marks some of the user's notifications read (others' ids are ignored). Returns how many changed. */
export async function markRead(db: Queryable, userId: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rowCount } = await db.query('UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL', [
    userId,
    [...ids],
  ]);
  return rowCount;
}

export async function markAllRead(db: Queryable, userId: string): Promise<number> {
  const { rowCount } = await db.query('UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL', [userId]);
  return rowCount;
}

/** A deleted message takes its notifications with it. */
export async function deleteNotificationsOfMessage(db: Queryable, messageId: string): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM notifications WHERE message_id = $1', [messageId]);
  return rowCount;
}

/**
 * Deletes the notifications created before `days` ago, read or not, in batches so no single
 * statement holds many locks or runs long. Returns how many went.
 */
export async function deleteNotificationsOlderThan(db: Queryable, days: number, batchSize = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM notifications WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM notifications WHERE created_at < now() - make_interval(days => $1) LIMIT $2))`,
      [days, batchSize],
    );
    total += rowCount;
    if (rowCount < batchSize) return total;
  }
}

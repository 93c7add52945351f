import type { NotificationFrameData } from '@parley/contracts';
import type { NotificationRow } from '../db/notification.repository.ts';

/** A stored notification as clients see it (REST items and `notification` frames alike). */
export function presentNotification(row: NotificationRow): NotificationFrameData {
  return {
    id: row.id,
    kind: row.kind,
    createdAt: new Date(row.created_at).toISOString(),
    readAt: row.read_at ? new Date(row.read_at).toISOString() : null,
    ...(row.conversation_id ? { conversationId: row.conversation_id } : {}),
    ...(row.message_id ? { messageId: row.message_id } : {}),
    ...(row.group_id ? { groupId: row.group_id } : {}),
    ...(row.actor_id ? { actorId: row.actor_id } : {}),
    ...(row.preview ? { preview: row.preview } : {}),
  };
}

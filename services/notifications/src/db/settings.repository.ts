import type { Queryable } from '@parley/kit';

export async function setMuted(db: Queryable, userId: string, conversationId: string, muted: boolean): Promise<void> {
  await db.query(
    `INSERT INTO conversation_settings (user_id, conversation_id, muted, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (user_id, conversation_id) DO UPDATE SET muted = EXCLUDED.muted, updated_at = now()`,
    [userId, conversationId, muted],
  );
}

export async function isMuted(db: Queryable, userId: string, conversationId: string): Promise<boolean> {
  const { rows } = await db.query<{ muted: boolean }>('SELECT muted FROM conversation_settings WHERE user_id = $1 AND conversation_id = $2', [
    userId,
    conversationId,
  ]);
  return rows[0]?.muted ?? false;
}

/** Which of these users muted the conversation. */
export async function usersWhoMuted(db: Queryable, conversationId: string, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM conversation_settings WHERE conversation_id = $1 AND muted AND user_id = ANY($2::uuid[])',
    [conversationId, [...userIds]],
  );
  return new Set(rows.map((row) => row.user_id));
}

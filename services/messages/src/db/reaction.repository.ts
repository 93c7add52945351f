import type { Queryable } from '@parley/kit';

export interface ReactionSummaryRow {
  message_id: string;
  emoji: string;
  count: number;
  me: boolean;
}

/**
 * SQL for one message's reaction summary as a JSON array of {emoji, count, me}, first reacted
 * first, for a page query to carry (no second round trip); [] for a tombstone. messageAlias names
 * the messages row, viewerParam the viewer's uuid parameter (NULL: me is false).
 */
export const reactionsJsonOf = (messageAlias: string, viewerParam: string): string => `CASE WHEN ${messageAlias}.deleted_at IS NULL THEN
  (SELECT COALESCE(json_agg(json_build_object('emoji', r.emoji, 'count', r.count, 'me', r.me) ORDER BY r.first_at, r.emoji), '[]')
     FROM (SELECT emoji, count(*) AS count, COALESCE(bool_or(user_id = ${viewerParam}::uuid), false) AS me, min(created_at) AS first_at
             FROM reactions WHERE message_id = ${messageAlias}.id GROUP BY emoji) r)
  ELSE '[]' END`;

/** Per message: each emoji with its count and whether the viewer is among its reactors, first reacted first. */
export async function summariseReactions(db: Queryable, messageIds: readonly string[], viewerId: string | null): Promise<Map<string, ReactionSummaryRow[]>> {
  const byMessage = new Map<string, ReactionSummaryRow[]>();
  if (messageIds.length === 0) return byMessage;
  const { rows } = await db.query<ReactionSummaryRow>(
    `SELECT message_id, emoji, count(*) AS count, COALESCE(bool_or(user_id = $2::uuid), false) AS me
       FROM reactions WHERE message_id = ANY($1::uuid[])
      GROUP BY message_id, emoji
      ORDER BY message_id, min(created_at), emoji`,
    [[...messageIds], viewerId],
  );
  for (const row of rows) {
    const list = byMessage.get(row.message_id) ?? [];
    list.push({ ...row, count: Number(row.count) });
    byMessage.set(row.message_id, list);
  }
  return byMessage;
}

/** Adds the user's reaction; false when it was already there. */
export async function insertReaction(tx: Queryable, messageId: string, userId: string, emoji: string): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [messageId, userId, emoji]);
  return rowCount > 0;
}

/** Removes the user's reaction; false when there was none. */
export async function deleteReaction(tx: Queryable, messageId: string, userId: string, emoji: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3', [messageId, userId, emoji]);
  return rowCount > 0;
}

export async function countEmoji(tx: Queryable, messageId: string, emoji: string): Promise<number> {
  const { rows } = await tx.query<{ count: number }>('SELECT count(*) AS count FROM reactions WHERE message_id = $1 AND emoji = $2', [messageId, emoji]);
  return Number(rows[0]?.count ?? 0);
}

export async function countDistinctEmoji(tx: Queryable, messageId: string): Promise<number> {
  const { rows } = await tx.query<{ count: number }>('SELECT count(DISTINCT emoji) AS count FROM reactions WHERE message_id = $1', [messageId]);
  return Number(rows[0]?.count ?? 0);
}

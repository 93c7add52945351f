import type { Queryable } from '@parley/kit';

/** What a connected user is shown as; `hidden` is an invisible user (others see offline). No row: offline. */
export type ShownState = 'online' | 'away' | 'dnd' | 'hidden';

/** First key of the two-key advisory locks that serialise one user's presence changes. */
const PRESENCE_LOCK_CLASS = 7243101;

/**
 * Locks the user's presence record for the rest of the transaction (also while it has no row,
 * which FOR UPDATE could not) and reads it: changes of one user, from any instance, happen one
 * after the other, so their events are written in the order they were decided.
 */
export async function lockShownState(tx: Queryable, userId: string): Promise<ShownState | undefined> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PRESENCE_LOCK_CLASS, userId]);
  const { rows } = await tx.query<{ state: ShownState }>('SELECT state FROM shown_presence WHERE user_id = $1', [userId]);
  return rows[0]?.state;
}

export async function saveShownState(tx: Queryable, userId: string, state: ShownState | undefined): Promise<void> {
  if (state === undefined) await tx.query('DELETE FROM shown_presence WHERE user_id = $1', [userId]);
  else {
    await tx.query(
      `INSERT INTO shown_presence (user_id, state) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET state = EXCLUDED.state, changed_at = now()`,
      [userId, state],
    );
  }
}

/** The recorded state of each of these users that has one. */
export async function findShownStates(db: Queryable, userIds: readonly string[]): Promise<Map<string, ShownState>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await db.query<{ user_id: string; state: ShownState }>('SELECT user_id, state FROM shown_presence WHERE user_id = ANY($1::uuid[])', [userIds]);
  return new Map(rows.map((row) => [row.user_id, row.state]));
}

/**
 * Users recorded as connected, in the share `part.index` of `part.count` (by a hash of the id),
 * a page of `limit` after the id `after`: each live instance checks its own share, so together
 * they check every row once.
 */
export async function listShownUsers(db: Queryable, part: { index: number; count: number }, page: { after: string | undefined; limit: number }): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    `SELECT user_id FROM shown_presence
      WHERE abs(hashtext(user_id::text) % $2) = $1 AND ($3::uuid IS NULL OR user_id > $3::uuid)
      ORDER BY user_id LIMIT $4`,
    [part.index, part.count, page.after ?? null, page.limit],
  );
  return rows.map((row) => row.user_id);
}

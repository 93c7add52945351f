import type { Queryable } from '@parley/kit';

export interface PushSubscriptionRow {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: Date;
}

const COLUMNS = 'id, user_id, endpoint, p256dh, auth, created_at';

/**
 * Stores a subscription, keyed by its endpoint: the same browser subscribing again (or for
 * another account signed in on it) takes the endpoint over. `created` is false for an update.
 */
export async function upsertSubscription(
  db: Queryable,
  input: { id: string; userId: string; endpoint: string; p256dh: string; auth: string },
): Promise<{ row: PushSubscriptionRow; created: boolean }> {
  const { rows } = await db.query<PushSubscriptionRow & { created: boolean }>(
    `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth
     RETURNING ${COLUMNS}, (xmax = 0) AS created`,
    [input.id, input.userId, input.endpoint, input.p256dh, input.auth],
  );
  const { created, ...row } = rows[0]!;
  return { row, created };
}

export async function deleteSubscription(db: Queryable, userId: string, endpoint: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2', [userId, endpoint]);
  return rowCount > 0;
}

export async function deleteSubscriptionById(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM push_subscriptions WHERE id = $1', [id]);
}

export async function listSubscriptions(db: Queryable, userId: string): Promise<PushSubscriptionRow[]> {
  const { rows } = await db.query<PushSubscriptionRow>(`SELECT ${COLUMNS} FROM push_subscriptions WHERE user_id = $1 ORDER BY id`, [userId]);
  return rows;
}

export async function markPushed(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE push_subscriptions SET last_success_at = now() WHERE id = $1', [id]);
}

import type { Queryable } from '@parley/kit';

export type ActivityKind = 'login' | 'profile_updated' | 'status_changed' | 'password_changed' | 'avatar_updated';

export interface ActivityRow {
  id: string;
  kind: ActivityKind;
  detail: Record<string, unknown>;
  occurred_at: Date;
}

/** Idempotent by id: a job retried after a crash writes its row once. */
export async function insertActivity(
  db: Queryable,
  entry: { id: string; userId: string; kind: ActivityKind; detail: Record<string, unknown>; occurredAt: Date },
): Promise<boolean> {
  const result = await db.query(`INSERT INTO activity (id, user_id, kind, detail, occurred_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, [
    entry.id,
    entry.userId,
    entry.kind,
    JSON.stringify(entry.detail),
    entry.occurredAt,
  ]);
  return result.rowCount > 0;
}

/** Newest first, keyset-paginated on (occurred_at, id). */
export async function listActivity(db: Queryable, userId: string, limit: number, after?: { occurredAt: Date; id: string }): Promise<ActivityRow[]> {
  const { rows } = await db.query<ActivityRow>(
    `SELECT id, kind, detail, occurred_at FROM activity
      WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2, $3::uuid))
      ORDER BY occurred_at DESC, id DESC LIMIT $4`,
    [userId, after?.occurredAt ?? null, after?.id ?? null, limit],
  );
  return rows;
}

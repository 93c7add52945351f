import type { Queryable } from '@parley/kit';

export interface SessionRow {
  id: string;
  user_id: string;
  device: string;
  ip: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, user_id, device, ip, created_at, last_used_at, expires_at, revoked_at';

export async function insertSession(db: Queryable, session: { id: string; userId: string; device: string; ip: string; expiresAt: Date }): Promise<void> {
  await db.query('INSERT INTO sessions (id, user_id, device, ip, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    session.id,
    session.userId,
    session.device,
    session.ip,
    session.expiresAt,
  ]);
}

export async function findLiveSession(db: Queryable, id: string): Promise<SessionRow | undefined> {
  const { rows } = await db.query<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()`, [id]);
  return rows[0];
}

export async function listLiveSessions(db: Queryable, userId: string): Promise<SessionRow[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT ${COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
      ORDER BY last_used_at DESC`,
    [userId],
  );
  return rows;
}

export async function touchSession(db: Queryable, id: string, ip: string, expiresAt: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_used_at = now(), ip = $2, expires_at = $3 WHERE id = $1', [id, ip, expiresAt]);
}

/** Revokes the given live sessions of a user; returns the ids actually revoked. */
export async function revokeSessions(db: Queryable, userId: string, ids: readonly string[], reason: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $3
      WHERE user_id = $1 AND id = ANY($2::uuid[]) AND revoked_at IS NULL RETURNING id`,
    [userId, ids, reason],
  );
  return rows.map((r) => r.id);
}

export interface RefreshTokenRow {
  token_hash: string;
  session_id: string;
  expires_at: Date;
  used_at: Date | null;
  user_id: string;
  session_revoked: boolean;
}

export async function insertRefreshToken(db: Queryable, token: { hash: string; sessionId: string; expiresAt: Date }): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)', [token.hash, token.sessionId, token.expiresAt]);
}

/** Locks the token row so two concurrent refreshes with one token cannot both rotate it. */
export async function findRefreshTokenForUpdate(db: Queryable, hash: string): Promise<RefreshTokenRow | undefined> {
  const { rows } = await db.query<RefreshTokenRow>(
    `SELECT t.token_hash, t.session_id, t.expires_at, t.used_at, s.user_id, (s.revoked_at IS NOT NULL) AS session_revoked
       FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
      WHERE t.token_hash = $1 FOR UPDATE OF t`,
    [hash],
  );
  return rows[0];
}

export async function markRefreshTokenUsed(db: Queryable, hash: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [hash]);
}

/** The clean-up job: refresh tokens past their expiry, and sessions long expired or revoked. */
export async function purgeExpiredTokens(db: Queryable, now: Date): Promise<number> {
  const tokens = await db.query('DELETE FROM refresh_tokens WHERE expires_at < $1', [now]);
  await db.query(`DELETE FROM sessions WHERE expires_at < $1::timestamptz - interval '30 days' OR revoked_at < $1::timestamptz - interval '30 days'`, [now]);
  return tokens.rowCount;
}

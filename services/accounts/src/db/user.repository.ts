import type { ShownStatus } from '@parley/contracts';
import type { Queryable } from '@parley/kit';

/** What the user chose (PUT /users/me/status); others see `presence` instead. */
export type UserStatus = 'online' | 'away' | 'dnd' | 'invisible';

export interface UserRow {
  id: string;
  username: string;
  email: string;
  display_name: string;
  bio: string;
  locale: string;
  avatar_version: string | null;
  status: UserStatus;
  status_text: string | null;
  /** What other users see (notifications' presence.changed): the chosen status while connected, offline otherwise. */
  presence: ShownStatus;
  last_login_at: Date | null;
  last_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type TimestampColumn = 'last_login_at' | 'last_seen_at' | 'created_at' | 'updated_at';

/** A user row after a JSON round trip (the cache): the same instants as ISO strings. */
export type CachedUserRow = Omit<UserRow, TimestampColumn> & { [K in TimestampColumn]: Exclude<UserRow[K], Date> | string };

/** A user with its credential: only login and password change ever read this. */
export interface UserWithSecret extends UserRow {
  password_hash: string;
}

const COLUMNS = `id, username, email, display_name, bio, locale, avatar_version, status, status_text, presence,
  last_login_at, last_seen_at, created_at, updated_at`;

export async function insertUser(db: Queryable, user: { id: string; username: string; email: string; passwordHash: string; displayName: string }): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    // Registration hands out tokens: it is the account's first sign-in.
    `INSERT INTO users (id, username, email, password_hash, display_name, last_login_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING ${COLUMNS}`,
    [user.id, user.username, user.email, user.passwordHash, user.displayName],
  );
  return rows[0]!;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

export async function findUsersByIds(db: Queryable, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
  return rows;
}

export async function findUserWithSecretByLogin(db: Queryable, login: string): Promise<UserWithSecret | undefined> {
  const { rows } = await db.query<UserWithSecret>(
    `SELECT ${COLUMNS}, password_hash FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($1) LIMIT 1`,
    [login],
  );
  return rows[0];
}

export async function findUserWithSecretById(db: Queryable, id: string): Promise<UserWithSecret | undefined> {
  const { rows } = await db.query<UserWithSecret>(`SELECT ${COLUMNS}, password_hash FROM users WHERE id = $1`, [id]);
  return rows[0];
}

/** Which of username / email are taken (case-insensitively). */
export async function findTakenIdentifiers(db: Queryable, username: string, email: string): Promise<{ username: boolean; email: boolean }> {
  const { rows } = await db.query<{ username_taken: boolean; email_taken: boolean }>(
    `SELECT bool_or(lower(username) = lower($1)) AS username_taken, bool_or(lower(email) = lower($2)) AS email_taken
       FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2)`,
    [username, email],
  );
  return { username: rows[0]?.username_taken ?? false, email: rows[0]?.email_taken ?? false };
}

export interface ProfileChanges {
  displayName?: string;
  bio?: string;
  locale?: string;
}

export async function updateProfile(db: Queryable, id: string, changes: ProfileChanges): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET display_name = COALESCE($2, display_name), bio = COALESCE($3, bio), locale = COALESCE($4, locale),
       updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, changes.displayName ?? null, changes.bio ?? null, changes.locale ?? null],
  );
  return rows[0];
}

export async function updatePasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [id, passwordHash]);
}

export async function updateStatus(db: Queryable, id: string, status: UserStatus, text: string | null): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET status = $2, status_text = $3, auto_away = false, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, status, text],
  );
  return rows[0];
}

export async function saveAvatar(db: Queryable, id: string, avatar: { contentType: string; bytes: Buffer; version: string }): Promise<UserRow | undefined> {
  await db.query(
    `INSERT INTO avatars (user_id, content_type, bytes, version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes,
       version = EXCLUDED.version, updated_at = now()`,
    [id, avatar.contentType, avatar.bytes, avatar.version],
  );
  const { rows } = await db.query<UserRow>(`UPDATE users SET avatar_version = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id, avatar.version]);
  return rows[0];
}

export async function findAvatar(db: Queryable, id: string): Promise<{ content_type: string; bytes: Uint8Array; version: string } | undefined> {
  const { rows } = await db.query<{ content_type: string; bytes: Uint8Array; version: string }>(
    'SELECT content_type, bytes, version FROM avatars WHERE user_id = $1',
    [id],
  );
  return rows[0];
}

/**
 * Prefix matches first (username or display name starting with the query), then fuzzy
 * (trigram similarity) ones, best first.
 */
export async function searchUsers(db: Queryable, query: string, limit: number): Promise<UserRow[]> {
  const q = query.toLowerCase();
  const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await db.query<UserRow>(
    `SELECT ${COLUMNS} FROM (
       SELECT *, CASE WHEN lower(username) LIKE $2 OR lower(display_name) LIKE $2 THEN 1 ELSE 0 END AS prefix_hit,
              greatest(similarity(lower(username), $1), similarity(lower(display_name), $1)) AS score
         FROM users
        WHERE lower(username) LIKE $2 OR lower(display_name) LIKE $2
           OR lower(username) % $1 OR lower(display_name) % $1
     ) hits
     ORDER BY prefix_hit DESC, score DESC, username
     LIMIT $3`,
    [q, prefix, limit],
  );
  return rows;
}

export async function recordLogin(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE users SET last_login_at = greatest(last_login_at, $2), last_seen_at = greatest(last_seen_at, $2) WHERE id = $1', [id, at]);
}

/** Marks the user seen; an idle-away user comes back online. Returns whether it came back. */
export async function recordSeen(db: Queryable, id: string, at: Date): Promise<boolean> {
  const { rows } = await db.query<{ back_online: boolean }>(
    `WITH previous AS (SELECT auto_away FROM users WHERE id = $1 FOR UPDATE)
     UPDATE users SET last_seen_at = greatest(coalesce(last_seen_at, $2), $2),
            status = CASE WHEN users.auto_away THEN 'online' ELSE status END, auto_away = false
       FROM previous WHERE users.id = $1 RETURNING previous.auto_away AS back_online`,
    [id, at],
  );
  return rows[0]?.back_online ?? false;
}

/**
 * The idle job: connected users who chose online and were not seen since `before` become away
 * (auto). Users not connected are left alone: others see them offline anyway, and they would
 * show away for a moment on their next connect. Returns their ids.
 */
export async function markIdleAway(db: Queryable, before: Date): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE users SET status = 'away', auto_away = true, updated_at = now()
      WHERE status = 'online' AND presence <> 'offline' AND last_seen_at IS NOT NULL AND last_seen_at < $1 RETURNING id`,
    [before],
  );
  return rows.map((r) => r.id);
}

/**
 * Applies a presence.changed event unless a later one (higher event id) was applied already:
 * the new presence, seen at `at` (the user was connected until then). Connecting and
 * disconnecting end an idle-away: the user's status goes back to online. Returns undefined for
 * an unknown user or a stale or repeated event, else whether the idle-away ended.
 */
export async function recordPresence(
  db: Queryable,
  id: string,
  change: { presence: ShownStatus; eventId: string; at: Date },
): Promise<{ awayEnded: boolean } | undefined> {
  const { rows } = await db.query<{ away_ended: boolean }>(
    `WITH previous AS (
       SELECT presence, auto_away, (auto_away AND ($2 = 'offline' OR presence = 'offline')) AS away_ends
         FROM users WHERE id = $1 AND (presence_event_id IS NULL OR presence_event_id < $3::uuid) FOR UPDATE)
     UPDATE users SET presence = $2, presence_event_id = $3::uuid,
            last_seen_at = greatest(coalesce(last_seen_at, $4), $4),
            status = CASE WHEN previous.away_ends THEN 'online' ELSE users.status END,
            auto_away = users.auto_away AND NOT previous.away_ends
       FROM previous WHERE users.id = $1 RETURNING previous.away_ends AS away_ended`,
    [id, change.presence, change.eventId, change.at],
  );
  return rows[0] ? { awayEnded: rows[0].away_ended } : undefined;
}

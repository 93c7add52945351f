import type { Queryable } from '@parley/kit';

export type ConversationType = 'direct' | 'group';

export interface ConversationRow {
  id: string;
  type: ConversationType;
  direct_key: string | null;
  title: string | null;
  title_at: Date | null;
  last_seq: number;
  last_message_at: Date | null;
  created_at: Date;
  deleted_at: Date | null;
}

const COLUMNS = 'id, type, direct_key, title, title_at, last_seq, last_message_at, created_at, deleted_at';

/** The one key of a pair of users, whatever the order they come in. */
export const directKeyOf = (a: string, b: string): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

export async function findConversation(db: Queryable, id: string): Promise<ConversationRow | undefined> {
  const { rows } = await db.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE id = $1`, [id]);
  return rows[0];
}

/** The conversation and whether userId is one of its direct members, in one round trip. */
export async function findConversationFor(db: Queryable, id: string, userId: string): Promise<(ConversationRow & { direct_member: boolean }) | undefined> {
  const { rows } = await db.query<ConversationRow & { direct_member: boolean }>(
    `SELECT ${COLUMNS},
            EXISTS (SELECT 1 FROM conversation_members m WHERE m.conversation_id = c.id AND m.user_id = $2) AS direct_member
       FROM conversations c WHERE c.id = $1`,
    [id, userId],
    // Every send and most requests start with it: planned once per connection.
    { prepare: 'conversations.find-for' },
  );
  return rows[0];
}

export async function findDirectConversation(db: Queryable, directKey: string): Promise<ConversationRow | undefined> {
  const { rows } = await db.query<ConversationRow>(`SELECT ${COLUMNS} FROM conversations WHERE direct_key = $1`, [directKey]);
  return rows[0];
}

/** Creates the pair's conversation unless it exists (unique direct_key): undefined when another request won. */
export async function insertDirectConversation(
  tx: Queryable,
  input: { id: string; directKey: string; memberIds: readonly string[] },
): Promise<ConversationRow | undefined> {
  const { rows } = await tx.query<ConversationRow>(
    `INSERT INTO conversations (id, type, direct_key) VALUES ($1, 'direct', $2)
     ON CONFLICT (direct_key) DO NOTHING RETURNING ${COLUMNS}`,
    [input.id, input.directKey],
  );
  const row = rows[0];
  if (!row) return undefined;
  await tx.query('INSERT INTO conversation_members (conversation_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [
    row.id,
    [...new Set(input.memberIds)],
  ]);
  return row;
}

/** A group's conversation (id = the group's id) unless it exists: undefined when it already did. */
export async function insertGroupConversation(
  tx: Queryable,
  input: { id: string; title?: string | null; titleAt?: string | null; deletedAt?: string | null },
): Promise<ConversationRow | undefined> {
  const { rows } = await tx.query<ConversationRow>(
    `INSERT INTO conversations (id, type, title, title_at, deleted_at) VALUES ($1, 'group', $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [input.id, input.title ?? null, input.titleAt ?? null, input.deletedAt ?? null],
  );
  return rows[0];
}

/**
 * Sets a group conversation's title unless a newer event already did. `creation`: the name a
 * group was created with, which never wins over a rename stamped the same instant.
 */
export async function setGroupTitle(tx: Queryable, groupId: string, title: string, at: string, creation = false): Promise<void> {
  await tx.query(
    `UPDATE conversations SET title = $2, title_at = $3
      WHERE id = $1 AND type = 'group' AND (title_at IS NULL OR title_at < $3 OR (title_at = $3 AND NOT $4))`,
    [groupId, title, at, creation],
  );
}

export async function markConversationDeleted(tx: Queryable, id: string, at: string): Promise<void> {
  await tx.query('UPDATE conversations SET deleted_at = COALESCE(deleted_at, $2) WHERE id = $1', [id, at]);
}

// The next seq is taken by send_message() (migrations/0007_send_checks_conversation.sql, first 0005), in the statement that inserts the message.

export async function listDirectMemberIds(db: Queryable, conversationId: string): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY user_id', [conversationId]);
  return rows.map((r) => r.user_id);
}

export async function listDirectConversationIds(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ conversation_id: string }>(
    `SELECT m.conversation_id FROM conversation_members m
       JOIN conversations c ON c.id = m.conversation_id AND c.deleted_at IS NULL
      WHERE m.user_id = $1`,
    [userId],
  );
  return rows.map((r) => r.conversation_id);
}

/** Everyone userId has a direct conversation with. */
export async function listDirectPartnerIds(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>(
    `SELECT DISTINCT other.user_id FROM conversation_members me
       JOIN conversation_members other ON other.conversation_id = me.conversation_id AND other.user_id <> me.user_id
      WHERE me.user_id = $1`,
    [userId],
  );
  return rows.map((r) => r.user_id);
}

/** Of these ids, the ones with a local conversation row (deleted or not). */
export async function existingConversationIds(db: Queryable, ids: readonly string[]): Promise<{ id: string; deleted: boolean }[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string; deleted: boolean }>('SELECT id, deleted_at IS NOT NULL AS deleted FROM conversations WHERE id = ANY($1::uuid[])', [
    [...ids],
  ]);
  return rows;
}

export interface ConversationSummaryRow extends ConversationRow {
  activity_at: Date;
  last_read_seq: number;
  unread_count: number;
  other_user_id: string | null;
}

/**
 * The viewer's conversations among ids, newest activity first (last message, else creation),
 * keyset-paginated on (activity, id). unread_count: messages after the viewer's read mark that
 * others sent and that are not deleted.
 */
export async function listConversationSummaries(
  db: Queryable,
  viewerId: string,
  ids: readonly string[],
  page: { limit: number; after?: { at: string; id: string } | undefined },
): Promise<ConversationSummaryRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<ConversationSummaryRow>(
    `SELECT c.id, c.type, c.direct_key, c.title, c.title_at, c.last_seq, c.last_message_at, c.created_at, c.deleted_at,
            COALESCE(c.last_message_at, c.created_at) AS activity_at,
            COALESCE(rs.last_read_seq, 0) AS last_read_seq,
            (SELECT count(*) FROM messages m
              WHERE m.conversation_id = c.id AND m.seq > COALESCE(rs.last_read_seq, 0)
                AND m.sender_id <> $1 AND m.deleted_at IS NULL) AS unread_count,
            (SELECT cm.user_id FROM conversation_members cm
              WHERE cm.conversation_id = c.id AND cm.user_id <> $1 LIMIT 1) AS other_user_id
       FROM conversations c
       LEFT JOIN read_state rs ON rs.conversation_id = c.id AND rs.user_id = $1
      WHERE c.id = ANY($2::uuid[]) AND c.deleted_at IS NULL
        AND ($3::timestamptz IS NULL OR (COALESCE(c.last_message_at, c.created_at), c.id) < ($3::timestamptz, $4::uuid))
      ORDER BY activity_at DESC, c.id DESC
      LIMIT $5`,
    [viewerId, [...ids], page.after?.at ?? null, page.after?.id ?? null, page.limit],
  );
  return rows.map((row) => ({
    ...row,
    last_seq: Number(row.last_seq),
    last_read_seq: Number(row.last_read_seq),
    unread_count: Number(row.unread_count),
  }));
}

import type { Queryable } from '@parley/kit';

export type ConversationKind = 'direct' | 'group';

export interface ConversationRow {
  id: string;
  kind: ConversationKind;
  /** The two members of a direct conversation; empty for groups (the groups service knows them). */
  member_ids: string[];
}

/** Records a conversation the first time it is heard of; a conversation never changes kind or direct members. */
export async function recordConversation(db: Queryable, id: string, kind: ConversationKind, memberIds: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO conversations (id, kind, member_ids) VALUES ($1, $2, $3::uuid[])
     ON CONFLICT (id) DO UPDATE SET member_ids = EXCLUDED.member_ids
       WHERE conversations.kind = 'direct' AND cardinality(conversations.member_ids) = 0`,
    [id, kind, kind === 'direct' ? [...memberIds] : []],
  );
}

export async function findConversation(db: Queryable, id: string): Promise<ConversationRow | undefined> {
  const { rows } = await db.query<ConversationRow>('SELECT id, kind, to_jsonb(member_ids) AS member_ids FROM conversations WHERE id = $1', [id]);
  return rows[0];
}

/** The users the given user has a direct conversation with. */
export async function listDirectPartners(db: Queryable, userId: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ partner: string }>(
    `SELECT DISTINCT m::text AS partner
       FROM conversations, unnest(member_ids) AS m
      WHERE kind = 'direct' AND member_ids @> ARRAY[$1::uuid] AND m <> $1::uuid
      LIMIT $2`,
    [userId, limit],
  );
  return rows.map((row) => row.partner);
}

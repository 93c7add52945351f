import type { Queryable } from '@parley/kit';
import type { GroupChange } from './access.ts';

export interface GroupRow {
  id: string;
  name: string;
  description: string | null;
  owner_id: string;
  member_count: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, name, description, owner_id, member_count, created_at, updated_at';

export async function insertGroup(
  tx: Queryable,
  group: { id: string; name: string; description: string | null; ownerId: string; memberCount: number },
): Promise<GroupRow> {
  const { rows } = await tx.query<GroupRow>(`INSERT INTO groups (id, name, description, owner_id, member_count) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`, [
    group.id,
    group.name,
    group.description,
    group.ownerId,
    group.memberCount,
  ]);
  return rows[0] as GroupRow;
}

export async function findGroupsByIds(db: Queryable, ids: readonly string[]): Promise<GroupRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<GroupRow>(`SELECT ${COLUMNS} FROM groups WHERE id = ANY($1::uuid[])`, [ids]);
  return rows;
}

/**
 * The group, locked until the transaction ends: every change to a group or its members takes
 * this lock first, so role checks, the member count and the one-owner rule see no concurrent change.
 * The look-up behind domain/access.ts's lockAsMember; use cases take the lock through that.
 */
export async function lockGroup(tx: Queryable, id: string): Promise<GroupRow | undefined> {
  const { rows } = await tx.query<GroupRow>(`SELECT ${COLUMNS} FROM groups WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0];
}

export interface GroupChanges {
  name?: string;
  description?: string | null;
}

export async function updateGroup(tx: Queryable, change: GroupChange, changes: GroupChanges): Promise<GroupRow> {
  const { rows } = await tx.query<GroupRow>(
    `UPDATE groups
        SET name = CASE WHEN $2::boolean THEN $3 ELSE name END,
            description = CASE WHEN $4::boolean THEN $5 ELSE description END,
            updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [change.groupId, changes.name !== undefined, changes.name ?? null, changes.description !== undefined, changes.description ?? null],
  );
  return rows[0] as GroupRow;
}

export async function setOwner(tx: Queryable, change: GroupChange, ownerId: string): Promise<void> {
  await tx.query('UPDATE groups SET owner_id = $2 WHERE id = $1', [change.groupId, ownerId]);
}

export async function adjustMemberCount(tx: Queryable, change: GroupChange, delta: number): Promise<void> {
  await tx.query('UPDATE groups SET member_count = member_count + $2 WHERE id = $1', [change.groupId, delta]);
}

/** Deletes the group and, by cascade, its memberships. */
export async function deleteGroup(tx: Queryable, change: GroupChange): Promise<void> {
  await tx.query('DELETE FROM groups WHERE id = $1', [change.groupId]);
}

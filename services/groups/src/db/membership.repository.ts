import type { GroupRole } from '@parley/contracts';
import type { Queryable } from '@parley/kit';
import type { GroupAccess, GroupChange } from './access.ts';

export interface MembershipRow {
  group_id: string;
  user_id: string;
  role: GroupRole;
  joined_at: Date;
}

const COLUMNS = 'group_id, user_id, role, joined_at';

/** Adds whoever is not a member yet; returns only the rows this call inserted. */
export async function insertMemberships(tx: Queryable, change: GroupChange, members: readonly { userId: string; role: GroupRole }[]): Promise<MembershipRow[]> {
  if (members.length === 0) return [];
  const { rows } = await tx.query<MembershipRow>(
    `INSERT INTO memberships (group_id, user_id, role)
     SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS m (user_id, role, n) ORDER BY m.n
     ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [change.groupId, members.map((m) => m.userId), members.map((m) => m.role)],
  );
  return rows;
}

/** A user's membership of a group: the look-up domain/access.ts makes its proofs from. */
export async function findMembership(db: Queryable, groupId: string, userId: string): Promise<MembershipRow | undefined> {
  const { rows } = await db.query<MembershipRow>(`SELECT ${COLUMNS} FROM memberships WHERE group_id = $1 AND user_id = $2`, [groupId, userId]);
  return rows[0];
}

/** Another member of a group the caller belongs to. */
export const findMember = (db: Queryable, access: GroupAccess, userId: string): Promise<MembershipRow | undefined> => findMembership(db, access.groupId, userId);

/**
 * Every member of a group, oldest membership first (ties by user id): what the members cache
 * (domain/group-cache.ts) loads, and requireMember checks the caller against.
 */
export async function listMemberships(db: Queryable, groupId: string): Promise<MembershipRow[]> {
  const { rows } = await db.query<MembershipRow>(`SELECT ${COLUMNS} FROM memberships WHERE group_id = $1 ORDER BY joined_at, user_id`, [groupId]);
  return rows;
}

/** Which of userIds already belong to the group. */
export async function memberIdsAmong(db: Queryable, access: GroupAccess, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM memberships WHERE group_id = $1 AND user_id = ANY($2::uuid[])', [
    access.groupId,
    userIds,
  ]);
  return rows.map((r) => r.user_id);
}

export async function deleteMembership(tx: Queryable, change: GroupChange, userId: string): Promise<boolean> {
  const result = await tx.query('DELETE FROM memberships WHERE group_id = $1 AND user_id = $2 RETURNING user_id', [change.groupId, userId]);
  return result.rows.length > 0;
}

export async function setRole(tx: Queryable, change: GroupChange, userId: string, role: GroupRole): Promise<MembershipRow> {
  const { rows } = await tx.query<MembershipRow>(`UPDATE memberships SET role = $3 WHERE group_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
    change.groupId,
    userId,
    role,
  ]);
  return rows[0] as MembershipRow;
}

/** The ids of a user's groups, newest group first (UUIDv7 ids sort by creation time). */
export async function listGroupIdsOfUser(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ group_id: string }>('SELECT group_id FROM memberships WHERE user_id = $1 ORDER BY group_id DESC', [userId]);
  return rows.map((r) => r.group_id);
}

/** The user's role in each of groupIds they belong to. */
export async function rolesOfUser(db: Queryable, userId: string, groupIds: readonly string[]): Promise<Map<string, GroupRole>> {
  if (groupIds.length === 0) return new Map();
  const { rows } = await db.query<{ group_id: string; role: GroupRole }>(
    'SELECT group_id, role FROM memberships WHERE user_id = $1 AND group_id = ANY($2::uuid[])',
    [userId, groupIds],
  );
  return new Map(rows.map((r) => [r.group_id, r.role]));
}

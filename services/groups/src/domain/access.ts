import type { GroupRole } from '@parley/contracts';
import { isUuid, notFound, type Queryable } from '@parley/kit';
import type { GroupAccess, GroupChange, ServiceAccess } from '../db/access.ts';
import { lockGroup, type GroupRow } from '../db/group.repository.ts';
import { findMembership, type MembershipRow } from '../db/membership.repository.ts';
import type { GroupsContext } from './context.ts';
import { getMembers } from './group-cache.ts';

export type { GroupAccess, GroupChange, GroupReadScope, ServiceAccess } from '../db/access.ts';

/**
 * The only place that makes the proofs of db/access.ts: a use case reads or changes a group
 * through one of these, so it cannot skip the membership check (the role it then checks itself,
 * with the rules below).
 */

/** The caller's membership (from the members cache), or 404: a group's existence is not revealed to non-members. */
export async function requireMember(ctx: Pick<GroupsContext, 'db' | 'cache'>, groupId: string, userId: string): Promise<GroupAccess> {
  const members = await getMembers(ctx, groupId);
  const me = members?.find((m) => m.userId === userId);
  if (!me) throw notFound('group');
  return { groupId, userId, role: me.role } as GroupAccess;
}

/** The caller's membership as the database has it now (no cache), or undefined for a non-member. */
export async function findAccess(db: Queryable, groupId: string, userId: string): Promise<GroupAccess | undefined> {
  const row = await findMembership(db, groupId, userId);
  return row && ({ groupId, userId, role: row.role } as GroupAccess);
}

/**
 * Locks the group for the rest of the transaction and reads the caller's membership under the
 * lock; 404 when the group is gone or the caller is not a member. Every change starts here.
 */
export async function lockAsMember(tx: Queryable, groupId: string, userId: string): Promise<{ group: GroupRow; caller: MembershipRow; access: GroupChange }> {
  const group = await lockGroup(tx, groupId);
  const caller = group && (await findMembership(tx, groupId, userId));
  if (!group || !caller) throw notFound('group');
  return { group, caller, access: { groupId, userId, role: caller.role } as GroupChange };
}

/** The owner's access to the group they are creating, in the transaction that inserts it. */
export const createdBy = (group: GroupRow): GroupChange => ({ groupId: group.id, userId: group.owner_id, role: 'owner' }) as GroupChange;

/**
 * For the gRPC calls of other services, which authorise their own callers and may ask about any
 * group; undefined for an id that cannot be a group's. Never for a request of a user.
 */
export function trustedServiceAccess(groupId: string): ServiceAccess | undefined {
  return isUuid(groupId) ? ({ groupId: groupId.toLowerCase() } as ServiceAccess) : undefined;
}

/** Who may do what, in one place; the use cases check these under the group's row lock. */
export const canEditGroup = (role: GroupRole): boolean => role === 'owner' || role === 'admin';
export const canManageMembers = canEditGroup;

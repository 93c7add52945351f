import type { GroupRole } from '@parley/contracts';
import { notFound } from '@parley/kit';
import type { GroupsContext } from './context.ts';
import { getMembers } from './group-cache.ts';

declare const proven: unique symbol;

/**
 * Proof that a user belongs to a group, with their role. Only requireMember makes one, and
 * the functions that read a group's data take it, so a read without the membership check
 * does not type-check.
 */
export interface MemberProof {
  readonly groupId: string;
  readonly userId: string;
  readonly role: GroupRole;
  readonly [proven]: true;
}

/** The caller's membership, or 404: a group's existence is not revealed to non-members. */
export async function requireMember(ctx: Pick<GroupsContext, 'db' | 'cache'>, groupId: string, userId: string): Promise<MemberProof> {
  const members = await getMembers(ctx, groupId);
  const me = members?.find((m) => m.userId === userId);
  if (!me) throw notFound('group');
  return { groupId, userId, role: me.role } as MemberProof;
}

/** Who may do what, in one place; the use cases check these under the group's row lock. */
export const canEditGroup = (role: GroupRole): boolean => role === 'owner' || role === 'admin';
export const canManageMembers = canEditGroup;

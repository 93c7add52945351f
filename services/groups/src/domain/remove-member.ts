import { conflict, forbidden, notFound } from '@parley/kit';
import { adjustMemberCount } from '../db/group.repository.ts';
import { deleteMembership, findMember } from '../db/membership.repository.ts';
import { canManageMembers, lockAsMember } from './access.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { forgetGroup } from './group-cache.ts';

export const OWNER_CANNOT_LEAVE =
  'The owner cannot leave the group. Hand ownership to another member first (PATCH /api/v1/groups/{id}/members/{userId} with {"role":"owner"}), or delete the group.';

/**
 * Removes a member, or lets the caller leave (targetId = callerId). Admins remove plain
 * members; only the owner removes an admin; nobody removes the owner, and the owner cannot
 * leave (409) until ownership has been handed over.
 */
export async function removeMember(ctx: GroupsContext, callerId: string, groupId: string, targetId: string): Promise<void> {
  await events.transaction(ctx, async (tx, emit) => {
    const { caller, access } = await lockAsMember(tx, groupId, callerId);
    const leaving = targetId === callerId;
    if (leaving && caller.role === 'owner') throw conflict(OWNER_CANNOT_LEAVE);
    if (!leaving && !canManageMembers(caller.role)) throw forbidden('Only admins and the owner remove members.');
    const target = leaving ? caller : await findMember(tx, access, targetId);
    if (!target) throw notFound('member');
    if (!leaving && target.role !== 'member' && caller.role !== 'owner') {
      throw forbidden(target.role === 'owner' ? 'Nobody removes the owner.' : 'Only the owner removes an admin.');
    }
    await deleteMembership(tx, access, targetId);
    await adjustMemberCount(tx, access, -1);
    emit('group.member_removed', { groupId, userId: targetId, removedBy: callerId });
  });
  await forgetGroup(ctx.cache, groupId, [targetId]);
}

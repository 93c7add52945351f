import type { EventData, GroupRole } from '@parley/contracts';
import { conflict, forbidden, notFound } from '@parley/kit';
import { setOwner } from '../db/group.repository.ts';
import { findMember, setRole, type MembershipRow } from '../db/membership.repository.ts';
import { lockAsMember } from './access.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { forgetGroup } from './group-cache.ts';

/**
 * The owner promotes a member to admin or demotes an admin to member; `owner` hands ownership
 * over: the target becomes the owner and the old owner an admin, in one transaction, so the
 * group always has exactly one owner. Setting the role a member already has changes nothing.
 * Returns the target's membership after the change.
 */
export async function changeMemberRole(ctx: GroupsContext, callerId: string, groupId: string, targetId: string, role: GroupRole): Promise<MembershipRow> {
  const { member, changes } = await events.transaction(ctx, async (tx, emit) => {
    const { caller, access } = await lockAsMember(tx, groupId, callerId);
    if (caller.role !== 'owner') throw forbidden('Only the owner changes roles.');
    const target = targetId === callerId ? caller : await findMember(tx, access, targetId);
    if (!target) throw notFound('member');
    if (target.role === role) return { member: target, changes: [] };
    if (targetId === callerId) {
      throw conflict('The owner keeps the owner role until handing it to another member with {"role":"owner"}.');
    }
    const changed: EventData<'group.member_role_changed'>[] = [];
    if (role === 'owner') {
      // Demote first: the unique index allows one owner per group at any moment.
      await setRole(tx, access, callerId, 'admin');
      changed.push({ groupId, userId: callerId, role: 'admin' });
      await setOwner(tx, access, targetId);
    }
    const updated = await setRole(tx, access, targetId, role);
    changed.push({ groupId, userId: targetId, role });
    emit('group.member_role_changed', ...changed);
    return { member: updated, changes: changed };
  });
  if (changes.length > 0) {
    await forgetGroup(ctx.cache, groupId);
  }
  return member;
}

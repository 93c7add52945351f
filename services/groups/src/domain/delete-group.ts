import { forbidden, notFound } from '@parley/kit';
import { deleteGroup as deleteGroupRow, lockGroup } from '../db/group.repository.ts';
import { findMembership, listMemberships } from '../db/membership.repository.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { forgetGroup } from './group-cache.ts';

/** Only the owner deletes a group; its memberships go with it. */
export async function deleteGroup(ctx: GroupsContext, callerId: string, groupId: string): Promise<void> {
  const memberIds = await events.transaction(ctx, async (tx, emit) => {
    const group = await lockGroup(tx, groupId);
    const caller = group && (await findMembership(tx, groupId, callerId));
    if (!group || !caller) throw notFound('group');
    if (caller.role !== 'owner') throw forbidden('Only the owner deletes the group.');
    const ids = (await listMemberships(tx, groupId)).map((m) => m.user_id);
    await deleteGroupRow(tx, groupId);
    emit('group.deleted', { groupId, deletedBy: callerId, memberIds: ids });
    return ids;
  });
  await forgetGroup(ctx.cache, groupId, memberIds);
}

import { forbidden } from '@parley/kit';
import { deleteGroup as deleteGroupRow } from '../db/group.repository.ts';
import { listMemberships } from '../db/membership.repository.ts';
import { lockAsMember } from './access.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { forgetGroup } from './group-cache.ts';

/** Only the owner deletes a group; its memberships go with it. */
export async function deleteGroup(ctx: GroupsContext, callerId: string, groupId: string): Promise<void> {
  const memberIds = await events.transaction(ctx, async (tx, emit) => {
    const { caller, access } = await lockAsMember(tx, groupId, callerId);
    if (caller.role !== 'owner') throw forbidden('Only the owner deletes the group.');
    const ids = (await listMemberships(tx, access.groupId)).map((m) => m.user_id);
    await deleteGroupRow(tx, access);
    emit('group.deleted', { groupId, deletedBy: callerId, memberIds: ids });
    return ids;
  });
  await forgetGroup(ctx.cache, groupId, memberIds);
}

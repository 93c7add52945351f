import type { GroupRole } from '@parley/contracts';
import { forbidden } from '@parley/kit';
import { updateGroup as updateGroupRow, type GroupChanges, type GroupRow } from '../db/group.repository.ts';
import { canEditGroup, lockAsMember } from './access.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { forgetGroup } from './group-cache.ts';

/**
 * Admins and the owner rename a group or change its description; an unchanged value is no
 * change (and no event). Returns the group and the caller's role in it.
 */
export async function updateGroup(ctx: GroupsContext, callerId: string, groupId: string, input: GroupChanges): Promise<{ group: GroupRow; role: GroupRole }> {
  const { group, role, changed } = await events.transaction(ctx, async (tx, emit) => {
    const { group: current, caller, access } = await lockAsMember(tx, groupId, callerId);
    if (!canEditGroup(caller.role)) throw forbidden('Only admins and the owner edit the group.');
    const changes: GroupChanges = {};
    if (input.name !== undefined && input.name !== current.name) changes.name = input.name;
    // An empty description clears it.
    const description = input.description === undefined ? undefined : input.description || null;
    if (description !== undefined && description !== current.description) changes.description = description;
    if (Object.keys(changes).length === 0) return { group: current, role: caller.role, changed: false };
    const updated = await updateGroupRow(tx, access, changes);
    emit('group.updated', { groupId, changes, updatedBy: callerId });
    return { group: updated, role: caller.role, changed: true };
  });
  if (changed) {
    await forgetGroup(ctx.cache, groupId);
  }
  return { group, role };
}

import { badRequest, newId } from '@parley/kit';
import { insertGroup, type GroupRow } from '../db/group.repository.ts';
import { insertMemberships } from '../db/membership.repository.ts';
import { createdBy } from './access.ts';
import type { GroupsContext } from './context.ts';
import { events } from './events.ts';
import { findUnknownUsers } from './find-unknown-users.ts';
import { forgetGroup } from './group-cache.ts';
import { assertWithinMemberLimit } from './member-limit.ts';

export interface NewGroup {
  name: string;
  description?: string | null | undefined;
  /** Others to add as members; the caller (the owner) and repeats are ignored. */
  memberIds?: readonly string[] | undefined;
}

/** Creates a group owned by the caller, with the given users as members. */
export async function createGroup(ctx: GroupsContext, ownerId: string, input: NewGroup): Promise<GroupRow> {
  const others = [...new Set(input.memberIds ?? [])].filter((id) => id !== ownerId);
  const unknown = await findUnknownUsers(ctx, others);
  if (unknown.length > 0) {
    throw badRequest('Some users do not exist.', { 'body.memberIds': [`unknown users: ${unknown.join(', ')}`] });
  }
  const memberIds = [ownerId, ...others];
  assertWithinMemberLimit(ctx.config.GROUP_MEMBER_LIMIT, memberIds.length);

  const groupId = newId();
  const description = input.description || null;
  const group = await events.transaction(ctx, async (tx, emit) => {
    const row = await insertGroup(tx, { id: groupId, name: input.name, description, ownerId, memberCount: memberIds.length });
    await insertMemberships(tx, createdBy(row), [{ userId: ownerId, role: 'owner' }, ...others.map((userId) => ({ userId, role: 'member' as const }))]);
    emit('group.created', { groupId, name: row.name, description, ownerId, memberIds });
    return row;
  });
  await forgetGroup(ctx.cache, groupId, memberIds);
  return group;
}

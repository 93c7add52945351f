import type { GroupRole } from '@parley/contracts';
import { notFound } from '@parley/kit';
import type { GroupRow } from '../db/group.repository.ts';
import { requireMember, type GroupAccess } from './access.ts';
import type { GroupsContext } from './context.ts';
import { getGroup as getCachedGroup } from './group-cache.ts';

/** The group as a member sees it. */
export async function readGroup(ctx: Pick<GroupsContext, 'db' | 'cache'>, proof: GroupAccess): Promise<GroupRow> {
  const group = await getCachedGroup(ctx, proof.groupId);
  // Deleted between the membership check and this read.
  if (!group) throw notFound('group');
  return group;
}

/** A group and the caller's role in it; 404 unless the caller is a member. */
export async function getGroup(ctx: Pick<GroupsContext, 'db' | 'cache'>, callerId: string, groupId: string): Promise<{ group: GroupRow; role: GroupRole }> {
  const proof = await requireMember(ctx, groupId, callerId);
  return { group: await readGroup(ctx, proof), role: proof.role };
}

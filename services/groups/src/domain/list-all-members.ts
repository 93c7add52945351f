import { isUuid, notFound } from '@parley/kit';
import type { GroupsContext } from './context.ts';
import { getMembers, type MemberEntry } from './group-cache.ts';

/** For other services: every member of a group, oldest membership first; 404 for an unknown group. */
export async function listAllMembers(ctx: Pick<GroupsContext, 'db' | 'cache'>, groupId: string): Promise<MemberEntry[]> {
  const members = isUuid(groupId) ? await getMembers(ctx, groupId.toLowerCase()) : undefined;
  if (!members) throw notFound('group');
  return members;
}

import { notFound } from '@parley/kit';
import type { ServiceAccess } from './access.ts';
import type { GroupsContext } from './context.ts';
import { getMembers, type MemberEntry } from './group-cache.ts';

/** For other services: every member of a group, oldest membership first; 404 for an unknown group. */
export async function listAllMembers(ctx: Pick<GroupsContext, 'db' | 'cache'>, access: ServiceAccess | undefined): Promise<MemberEntry[]> {
  const members = access ? await getMembers(ctx, access.groupId) : undefined;
  if (!members) throw notFound('group');
  return members;
}

import type { GroupRole } from '@parley/contracts';
import { isUuid } from '@parley/kit';
import type { ServiceAccess } from './access.ts';
import type { GroupsContext } from './context.ts';
import { getMembers } from './group-cache.ts';

/** For other services: whether a user belongs to a group and with which role; an unknown group is "not a member". */
export async function getMembership(
  ctx: Pick<GroupsContext, 'db' | 'cache'>,
  access: ServiceAccess | undefined,
  userId: string,
): Promise<{ isMember: false } | { isMember: true; role: GroupRole }> {
  if (!access || !isUuid(userId)) return { isMember: false };
  const me = (await getMembers(ctx, access.groupId))?.find((m) => m.userId === userId.toLowerCase());
  return me ? { isMember: true, role: me.role } : { isMember: false };
}

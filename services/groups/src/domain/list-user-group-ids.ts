import { isUuid } from '@parley/kit';
import type { GroupsContext } from './context.ts';
import { getUserGroupIds } from './group-cache.ts';

/** For other services: the ids of every group a user belongs to, newest group first; empty for an unknown user. */
export async function listUserGroupIds(ctx: Pick<GroupsContext, 'db' | 'cache'>, userId: string): Promise<string[]> {
  return isUuid(userId) ? getUserGroupIds(ctx, userId.toLowerCase()) : [];
}

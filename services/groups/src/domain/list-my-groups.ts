import type { GroupRole } from '@parley/contracts';
import { isUuid } from '@parley/kit';
import type { GroupRow } from '../db/group.repository.ts';
import { rolesOfUser } from '../db/membership.repository.ts';
import type { GroupsContext } from './context.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { getGroups, getUserGroupIds } from './group-cache.ts';

/**
 * The caller's groups, newest group first (by creation: ids are UUIDv7), keyset-paginated on
 * the group id. The ids and the groups come from the cache; the caller's role in each is read
 * from the database, which also leaves out a group the cache still lists a moment after the
 * caller left it.
 */
export async function listMyGroups(
  ctx: Pick<GroupsContext, 'db' | 'cache'>,
  userId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: { group: GroupRow; role: GroupRole }[]; nextCursor: string | null }> {
  const [after] = page.cursor ? decodeCursor(page.cursor, 1, ([id]) => isUuid(id ?? '')) : [];
  const ids = await getUserGroupIds(ctx, userId);
  const rest = after === undefined ? ids : ids.filter((id) => id < after.toLowerCase());
  const pageIds = rest.slice(0, page.limit);
  const [groups, roles] = await Promise.all([getGroups(ctx, pageIds), rolesOfUser(ctx.db, userId, pageIds)]);
  const items = groups.flatMap((group) => {
    const role = roles.get(group.id);
    return role ? [{ group, role }] : [];
  });
  const last = pageIds.at(-1);
  return { items, nextCursor: rest.length > page.limit && last ? encodeCursor([last]) : null };
}

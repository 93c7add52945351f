import type { GroupRole } from '@parley/contracts';
import { cached, type Cache, type Queryable } from '@parley/kit';
import { findGroupsByIds, type GroupRow } from '../db/group.repository.ts';
import { listGroupIdsOfUser, listMemberships } from '../db/membership.repository.ts';

/**
 * Cache-aside (the kit's `cached`) for the three things every request and every gRPC call reads:
 * a group, a group's members and a user's groups. Entries are invalidated right after the commit
 * that changes them (so the very next read is fresh) and again by the group.* event consumer; a
 * reader that loaded before that commit cannot write what it read back (generations).
 */
const TTL_SECONDS = 3600;

/** A member as the cache holds it (and as it goes out): joinedAt is an ISO-8601 string. */
export interface MemberEntry {
  userId: string;
  role: GroupRole;
  joinedAt: string;
}

type CachedGroup = Omit<GroupRow, 'created_at' | 'updated_at'> & { created_at: string | Date; updated_at: string | Date };
const revive = (g: CachedGroup): GroupRow => ({ ...g, created_at: new Date(g.created_at), updated_at: new Date(g.updated_at) });

export const cachedGroups = cached<CachedGroup>({ name: 'groups:group', ttlSeconds: TTL_SECONDS });
export const cachedMembers = cached<MemberEntry[]>({ name: 'groups:members', ttlSeconds: TTL_SECONDS });
export const cachedUserGroups = cached<string[]>({ name: 'groups:user', ttlSeconds: TTL_SECONDS });

interface Deps {
  db: Queryable;
  cache: Cache;
}

/** Groups by id, from the cache where possible, in the order asked; unknown ids are left out. */
export async function getGroups(deps: Deps, ids: readonly string[]): Promise<GroupRow[]> {
  const found = await cachedGroups.getMany(deps.cache, ids, async (missing) => (await findGroupsByIds(deps.db, missing)).map((row) => [row.id, row] as const));
  return [...new Set(ids)].flatMap((id) => {
    const group = found.get(id);
    return group ? [revive(group)] : [];
  });
}

export async function getGroup(deps: Deps, id: string): Promise<GroupRow | undefined> {
  return (await getGroups(deps, [id]))[0];
}

/**
 * Every member of a group, oldest membership first; undefined when the group does not exist
 * (a group always has its owner). Unknown groups are not cached, so made-up ids fill nothing.
 */
export async function getMembers(deps: Deps, groupId: string): Promise<MemberEntry[] | undefined> {
  return cachedMembers.get(deps.cache, groupId, async () => {
    const rows = await listMemberships(deps.db, groupId);
    if (rows.length === 0) return undefined;
    // Ordered by exactly what the page cursor compares (the millisecond ISO string, then the id):
    // PostgreSQL's microseconds would order two joins within one millisecond differently.
    return rows
      .map((r): MemberEntry => ({ userId: r.user_id, role: r.role, joinedAt: r.joined_at.toISOString() }))
      .sort((a, b) => (a.joinedAt === b.joinedAt ? (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) : a.joinedAt < b.joinedAt ? -1 : 1));
  });
}

/** The ids of a user's groups, newest group first. */
export async function getUserGroupIds(deps: Deps, userId: string): Promise<string[]> {
  return (await cachedUserGroups.get(deps.cache, userId, () => listGroupIdsOfUser(deps.db, userId))) ?? [];
}

/**
 * Drops what a change to a group may have made stale: the group, its member list and the group
 * lists of the users whose membership changed. Idempotent, so the event consumer repeats it freely.
 */
export async function forgetGroup(cache: Cache, groupId: string, userIds: readonly string[] = []): Promise<void> {
  await Promise.all([cachedGroups.invalidate(cache, [groupId]), cachedMembers.invalidate(cache, [groupId]), cachedUserGroups.invalidate(cache, userIds)]);
}

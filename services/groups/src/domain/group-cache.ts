import type { GroupRole } from '@parley/contracts';
import type { Cache, Queryable } from '@parley/kit';
import { findGroupsByIds, type GroupRow } from '../db/group.repository.ts';
import { listGroupIdsOfUser, listMemberships } from '../db/membership.repository.ts';

/**
 * Cache-aside for the three things every request and every gRPC call reads: a group, a group's
 * members and a user's groups. Entries are deleted right after the commit that changes them (so
 * the very next read is fresh) and again by the group.* event consumer (which also covers a
 * reader that filled the cache with what it read just before that commit); the TTL only bounds
 * memory.
 */
const TTL_SECONDS = 3600;
export const groupKey = (groupId: string): string => `groups:group:${groupId}`;
export const membersKey = (groupId: string): string => `groups:members:${groupId}`;
export const userGroupsKey = (userId: string): string => `groups:user:${userId}`;

/** A member as the cache holds it (and as it goes out): joinedAt is an ISO-8601 string. */
export interface MemberEntry {
  userId: string;
  role: GroupRole;
  joinedAt: string;
}

type CachedGroup = Omit<GroupRow, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string };
const revive = (g: CachedGroup): GroupRow => ({ ...g, created_at: new Date(g.created_at), updated_at: new Date(g.updated_at) });

interface Deps {
  db: Queryable;
  cache: Cache;
}

/** Groups by id, from the cache where possible, in the order asked; unknown ids are left out. */
export async function getGroups(deps: Deps, ids: readonly string[]): Promise<GroupRow[]> {
  const unique = [...new Set(ids)];
  const cached = await deps.cache.getMany<CachedGroup>(unique.map(groupKey));
  const found = new Map<string, GroupRow>();
  const missing: string[] = [];
  unique.forEach((id, i) => {
    const hit = cached[i];
    if (hit) found.set(id, revive(hit));
    else missing.push(id);
  });
  if (missing.length > 0) {
    const rows = await findGroupsByIds(deps.db, missing);
    await Promise.all(rows.map((row) => deps.cache.set(groupKey(row.id), row, TTL_SECONDS)));
    for (const row of rows) found.set(row.id, row);
  }
  return unique.flatMap((id) => found.get(id) ?? []);
}

export async function getGroup(deps: Deps, id: string): Promise<GroupRow | undefined> {
  return (await getGroups(deps, [id]))[0];
}

/**
 * Every member of a group, oldest membership first; undefined when the group does not exist
 * (a group always has its owner). Unknown groups are not cached, so made-up ids fill nothing.
 */
export async function getMembers(deps: Deps, groupId: string): Promise<MemberEntry[] | undefined> {
  const cached = await deps.cache.get<MemberEntry[]>(membersKey(groupId));
  if (cached) return cached;
  const rows = await listMemberships(deps.db, groupId);
  if (rows.length === 0) return undefined;
  // Ordered by exactly what the page cursor compares (the millisecond ISO string, then the id):
  // PostgreSQL's microseconds would order two joins within one millisecond differently.
  const members = rows
    .map((r): MemberEntry => ({ userId: r.user_id, role: r.role, joinedAt: r.joined_at.toISOString() }))
    .sort((a, b) => (a.joinedAt === b.joinedAt ? (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) : a.joinedAt < b.joinedAt ? -1 : 1));
  await deps.cache.set(membersKey(groupId), members, TTL_SECONDS);
  return members;
}

/** The ids of a user's groups, newest group first. */
export async function getUserGroupIds(deps: Deps, userId: string): Promise<string[]> {
  const cached = await deps.cache.get<string[]>(userGroupsKey(userId));
  if (cached) return cached;
  const ids = await listGroupIdsOfUser(deps.db, userId);
  await deps.cache.set(userGroupsKey(userId), ids, TTL_SECONDS);
  return ids;
}

/**
 * Drops what a change to a group may have made stale: the group, its member list and the group
 * lists of the users whose membership changed. Idempotent, so the event consumer repeats it freely.
 */
export async function forgetGroup(cache: Cache, groupId: string, userIds: readonly string[] = []): Promise<void> {
  await cache.del(groupKey(groupId), membersKey(groupId), ...[...new Set(userIds)].map(userGroupsKey));
}

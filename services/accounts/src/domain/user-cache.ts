import type { Cache, Queryable } from '@parley/kit';
import { listContactIds } from '../db/contact.repository.ts';
import { findUsersByIds, type CachedUserRow, type UserRow } from '../db/user.repository.ts';

/**
 * Cache-aside for profiles and contact lists. Entries are deleted right after the commit that
 * changes them (so the very next read is fresh) and again by the user.* event consumer;
 * the TTL only bounds memory.
 */
const TTL_SECONDS = 3600;
export const userKey = (id: string): string => `accounts:user:${id}`;
export const contactsKey = (id: string): string => `accounts:contacts:${id}`;

// Dates survive the JSON round trip through Redis as strings; bring them back.
const toDate = (value: string | null): Date | null => (value === null ? null : new Date(value));
const revive = (u: CachedUserRow): UserRow => ({
  ...u,
  last_login_at: toDate(u.last_login_at),
  last_seen_at: toDate(u.last_seen_at),
  created_at: new Date(u.created_at),
  updated_at: new Date(u.updated_at),
});

/** Users by id, from the cache where possible, in the order asked; unknown ids are left out. */
export async function getUsers(deps: { db: Queryable; cache: Cache }, ids: readonly string[]): Promise<UserRow[]> {
  const unique = [...new Set(ids)];
  const cached = await deps.cache.getMany<CachedUserRow>(unique.map(userKey));
  const found = new Map<string, UserRow>();
  const missing: string[] = [];
  unique.forEach((id, i) => {
    const hit = cached[i];
    if (hit) found.set(id, revive(hit));
    else missing.push(id);
  });
  if (missing.length > 0) for (const row of await loadUsers(deps, missing)) found.set(row.id, row);
  return unique.flatMap((id) => found.get(id) ?? []);
}

/** Reads users from the database and puts them in the cache. */
async function loadUsers(deps: { db: Queryable; cache: Cache }, ids: readonly string[]): Promise<UserRow[]> {
  const rows = await findUsersByIds(deps.db, ids);
  await Promise.all(rows.map((row) => deps.cache.set(userKey(row.id), row, TTL_SECONDS)));
  return rows;
}

export async function getUser(deps: { db: Queryable; cache: Cache }, id: string): Promise<UserRow | undefined> {
  return (await getUsers(deps, [id]))[0];
}

/**
 * One user, to be presented (the presenters take cached rows as they are, skipping the Date
 * revival). `alreadyRead`, when given, is what the cache held under userKey(id), read together
 * with the session by the auth hook: then the cache is not asked again.
 */
export async function getUserToPresent(
  deps: { db: Queryable; cache: Cache },
  id: string,
  alreadyRead?: { value: CachedUserRow | undefined },
): Promise<UserRow | CachedUserRow | undefined> {
  if (!alreadyRead) return getUser(deps, id);
  if (alreadyRead.value) return alreadyRead.value;
  return (await loadUsers(deps, [id]))[0];
}

export async function getContactIds(deps: { db: Queryable; cache: Cache }, userId: string): Promise<string[]> {
  const cached = await deps.cache.get<string[]>(contactsKey(userId));
  if (cached) return cached;
  const ids = await listContactIds(deps.db, userId);
  await deps.cache.set(contactsKey(userId), ids, TTL_SECONDS);
  return ids;
}

export const invalidateUser = (cache: Cache, id: string): Promise<void> => cache.del(userKey(id));
export const invalidateContacts = (cache: Cache, id: string): Promise<void> => cache.del(contactsKey(id));

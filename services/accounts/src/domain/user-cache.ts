import { cached, type Cache, type CachedRead, type Queryable } from '@parley/kit';
import { listContactIds } from '../db/contact.repository.ts';
import { findUsersByIds, type CachedUserRow, type UserRow } from '../db/user.repository.ts';

/**
 * Cache-aside (the kit's `cached`) for profiles and contact lists. Entries are invalidated right
 * after the commit that changes them (so the very next read is fresh) and again by the user.*
 * event consumer; a read that loaded before the change cannot write it back (generations).
 */
const TTL_SECONDS = 3600;
/** A user as read from the database (Dates) or from the cache (ISO strings). */
type AnyUserRow = UserRow | CachedUserRow;
export const cachedUsers = cached<AnyUserRow>({ name: 'accounts:user', ttlSeconds: TTL_SECONDS });
const cachedContacts = cached<string[]>({ name: 'accounts:contacts', ttlSeconds: TTL_SECONDS });

type Deps = { db: Queryable; cache: Cache };

// Dates survive the JSON round trip through Redis as strings; bring them back.
const toDate = (value: string | null): Date | null => (value === null ? null : new Date(value));
const revive = (u: AnyUserRow): UserRow => ({
  ...u,
  last_login_at: toDate(u.last_login_at as string | null),
  last_seen_at: toDate(u.last_seen_at as string | null),
  created_at: new Date(u.created_at),
  updated_at: new Date(u.updated_at),
});

/** Users by id, from the cache where possible, in the order asked; unknown ids are left out. */
export async function getUsers(deps: Deps, ids: readonly string[]): Promise<UserRow[]> {
  const found = await cachedUsers.getMany(deps.cache, ids, async (missing) => (await findUsersByIds(deps.db, missing)).map((row) => [row.id, row] as const));
  return [...new Set(ids)].flatMap((id) => {
    const row = found.get(id);
    return row ? [revive(row)] : [];
  });
}

export async function getUser(deps: Deps, id: string): Promise<UserRow | undefined> {
  return (await getUsers(deps, [id]))[0];
}

/**
 * One user, to be presented (the presenters take cached rows as they are, skipping the Date
 * revival). `alreadyRead`, when given, is the cache's answer read together with the session by
 * the auth hook: then the cache is not asked again, and a miss is written back under that read.
 */
export async function getUserToPresent(deps: Deps, id: string, alreadyRead?: CachedRead<AnyUserRow>): Promise<AnyUserRow | undefined> {
  if (!alreadyRead) return getUser(deps, id);
  if (alreadyRead.value) return alreadyRead.value;
  const [row] = await findUsersByIds(deps.db, [id]);
  if (row) await cachedUsers.write(deps.cache, [{ id, value: row, read: alreadyRead }]);
  return row;
}

export async function getContactIds(deps: Deps, userId: string): Promise<string[]> {
  return (await cachedContacts.get(deps.cache, userId, () => listContactIds(deps.db, userId))) ?? [];
}

export const invalidateUsers = (cache: Cache, ids: readonly string[]): Promise<void> => cachedUsers.invalidate(cache, ids);
export const invalidateUser = (cache: Cache, id: string): Promise<void> => invalidateUsers(cache, [id]);
export const invalidateContacts = (cache: Cache, id: string): Promise<void> => cachedContacts.invalidate(cache, [id]);

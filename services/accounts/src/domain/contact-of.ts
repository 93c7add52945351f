import type { Cache, Queryable } from '@parley/kit';
import { listContactOfIds } from '../db/contact.repository.ts';

/** The most ids one answer carries: presence is not announced to more watchers than this. */
export const MAX_CONTACT_OF = 5000;
const TTL_SECONDS = 3600;
const contactOfKey = (userId: string): string => `accounts:contact-of:${userId}`;

export interface ContactOf {
  userIds: string[];
  truncated: boolean;
}

/**
 * Who has the user as a contact (cache-aside). The entry holds the longest answer; a smaller
 * limit is cut from it. Deleted right after a contact of the user is added or removed.
 */
export async function getContactOf(deps: { db: Queryable; cache: Cache }, userId: string, limit = MAX_CONTACT_OF): Promise<ContactOf> {
  const max = Math.min(limit > 0 ? limit : MAX_CONTACT_OF, MAX_CONTACT_OF);
  let all = await deps.cache.get<ContactOf>(contactOfKey(userId));
  if (!all) {
    const ids = await listContactOfIds(deps.db, userId, MAX_CONTACT_OF + 1);
    all = { userIds: ids.slice(0, MAX_CONTACT_OF), truncated: ids.length > MAX_CONTACT_OF };
    await deps.cache.set(contactOfKey(userId), all, TTL_SECONDS);
  }
  return all.userIds.length > max ? { userIds: all.userIds.slice(0, max), truncated: true } : all;
}

export const invalidateContactOf = (cache: Cache, userId: string): Promise<void> => cache.del(contactOfKey(userId));

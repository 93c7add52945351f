import { cached, type Cache, type Queryable } from '@parley/kit';
import { listContactOfIds } from '../db/contact.repository.ts';

/** The most ids one answer carries: presence is not announced to more watchers than this. */
export const MAX_CONTACT_OF = 5000;

export interface ContactOf {
  userIds: string[];
  truncated: boolean;
}

const cachedContactOf = cached<ContactOf>({ name: 'accounts:contact-of', ttlSeconds: 3600 });

/**
 * Who has the user as a contact (cache-aside). The entry holds the longest answer; a smaller
 * limit is cut from it. Invalidated right after a contact of the user is added or removed.
 */
export async function getContactOf(deps: { db: Queryable; cache: Cache }, userId: string, limit = MAX_CONTACT_OF): Promise<ContactOf> {
  const max = Math.min(limit > 0 ? limit : MAX_CONTACT_OF, MAX_CONTACT_OF);
  const all = (await cachedContactOf.get(deps.cache, userId, async () => {
    const ids = await listContactOfIds(deps.db, userId, MAX_CONTACT_OF + 1);
    return { userIds: ids.slice(0, MAX_CONTACT_OF), truncated: ids.length > MAX_CONTACT_OF };
  }))!;
  return all.userIds.length > max ? { userIds: all.userIds.slice(0, max), truncated: true } : all;
}

export const invalidateContactOf = (cache: Cache, userId: string): Promise<void> => cachedContactOf.invalidate(cache, [userId]);

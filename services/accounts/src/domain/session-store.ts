import { sessionKey, type Cache, type CachedSession } from '@parley/kit';

/**
 * Sessions live in the cache for instant revocation checks by every service; the database
 * row stays the durable record. A revoked session keeps a tombstone for as long as an access
 * token could live, so a flushed entry can't be mistaken for a live one.
 */
export async function cacheLiveSession(cache: Cache, sessionId: string, userId: string, ttlSeconds: number): Promise<void> {
  await cache.set<CachedSession>(sessionKey(sessionId), { userId }, ttlSeconds);
}

export async function cacheRevokedSessions(cache: Cache, sessionIds: readonly string[], accessTokenTtlSeconds: number): Promise<void> {
  await Promise.all(sessionIds.map((id) => cache.set<CachedSession>(sessionKey(id), { revoked: true }, accessTokenTtlSeconds + 60)));
}

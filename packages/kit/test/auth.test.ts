import type { FastifyRequest } from 'fastify';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, createTokenVerifier, readAhead, sessionKey, type TokenVerifier } from '../src/auth.ts';
import { cached } from '../src/cache/cached.ts';
import { createMemoryCache } from '../src/cache/memory-cache.ts';
import type { Cache } from '../src/ports.ts';

/** A memory cache that counts the round trips a real cache would make. */
function countingCache(): Cache & { calls: string[] } {
  const inner = createMemoryCache();
  const calls: string[] = [];
  return {
    ...inner,
    calls,
    get: (key) => (calls.push('get'), inner.get(key)),
    getMany: (keys) => (calls.push('getMany'), inner.getMany(keys)),
  };
}

/** Cache entries a route could ask the verifier to read with the session. */
const profiles = cached<{ name: string }>({ name: 'profile', ttlSeconds: 60 });
const profile = readAhead(profiles, (caller) => caller.userId);
const missing = readAhead(profiles, () => 'missing');
/** The request the entries are read for (these entries are named by the caller alone). */
const request = {} as FastifyRequest;
const valueOf = (read: { value: unknown }) => read.value;

describe('the token verifier', () => {
  let sign: (sub: string, sid: string) => Promise<string>;
  /** The `exp` of the tokens `sign` makes, in ms (they live five minutes). */
  let expiresAt: number;
  let keys: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] });
    expiresAt = (Math.floor(Date.now() / 1000) + 300) * 1000;
    sign = (sub, sid) =>
      new SignJWT({ sid })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
        .setSubject(sub)
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(expiresAt / 1000)
        .sign(privateKey);
  });

  const setUp = async (session: unknown, fallback?: () => Promise<boolean>) => {
    const cache = countingCache();
    if (session) await cache.set(sessionKey('s1'), session, 60);
    await profiles.get(cache, 'u1', async () => ({ name: 'alice' }));
    cache.calls.length = 0;
    const verify: TokenVerifier = createTokenVerifier({ keys, cache, sessionFallback: fallback });
    return { cache, verify, token: await sign('u1', 's1') };
  };

  it('reads the keys a route asks for in the same cache round trip as the session', async () => {
    const { cache, verify, token } = await setUp({ userId: 'u1' });
    const { alsoCached, ...caller } = await verify(token, [profile.for(request), missing.for(request)]);
    expect(caller).toEqual({ userId: 'u1', sessionId: 's1', expiresAt });
    expect(alsoCached?.map(valueOf)).toEqual([{ name: 'alice' }, undefined]);
    expect(cache.calls).toEqual(['getMany']);
  });

  it('reads an entry named by the request (a path id) in the same round trip; one that names nothing reads no key and is a miss', async () => {
    const { cache, verify, token } = await setUp({ userId: 'u1' });
    const byPath = readAhead(profiles, (_caller, req) => (req.params as { id?: string }).id);
    const withId = { params: { id: 'u1' } } as unknown as FastifyRequest;
    const withoutId = { params: {} } as unknown as FastifyRequest;
    expect(byPath.for(withoutId).keys({ userId: 'u1', sessionId: 's1' })).toEqual([]);
    const { alsoCached } = await verify(token, [byPath.for(withId), byPath.for(withoutId)]);
    expect(alsoCached?.map(valueOf)).toEqual([{ name: 'alice' }, undefined]);
    expect(cache.calls).toEqual(['getMany']);
  });

  it('runs the alongside work with the caller before the session read, in the same tick; an ended session still answers 401', async () => {
    const { cache, token } = await setUp({ userId: 'u1' });
    const order: string[] = [];
    const traced: Cache & { calls: string[] } = { ...cache, getMany: (keys) => (order.push('getMany'), cache.getMany(keys)) };
    const seen: unknown[] = [];
    const tracedVerify = createTokenVerifier({ keys, cache: traced });
    await tracedVerify(token); // the signature is checked once; the next call starts from known claims
    order.length = 0;
    const pending = tracedVerify(token, [profile.for(request)], (caller) => (order.push('alongside'), seen.push(caller)));
    // Nothing awaited yet: both ran in this tick, alongside first (one pipelined round trip on Redis).
    expect(order).toEqual(['alongside', 'getMany']);
    await pending;
    expect(seen).toEqual([{ userId: 'u1', sessionId: 's1' }]);

    const ended = await setUp({ revoked: true });
    const ran: unknown[] = [];
    await expect(ended.verify(ended.token, undefined, (caller) => ran.push(caller))).rejects.toMatchObject({ httpStatus: 401 });
    expect(ran).toHaveLength(1);
  });

  it("without extra keys, reads the session alone and answers the caller only, with the token's expiry (its exp claim)", async () => {
    const { cache, verify, token } = await setUp({ userId: 'u1' });
    expect(await verify(token)).toEqual({ userId: 'u1', sessionId: 's1', expiresAt });
    expect(cache.calls).toEqual(['get']);
  });

  it('refuses a revoked session, or one of another user, even when the extra keys are there', async () => {
    for (const session of [{ revoked: true }, { userId: 'someone-else' }]) {
      const { verify, token } = await setUp(session);
      await expect(verify(token, [profile.for(request)])).rejects.toMatchObject({ httpStatus: 401 });
    }
  });

  it('asks the fallback when the cache lost the session, and still answers the extra keys', async () => {
    const live = await setUp(undefined, async () => true);
    const caller = await live.verify(live.token, [profile.for(request)]);
    expect(caller.userId).toBe('u1');
    expect(caller.alsoCached?.map(valueOf)).toEqual([{ name: 'alice' }]);
    const ended = await setUp(undefined, async () => false);
    await expect(ended.verify(ended.token, [profile.for(request)])).rejects.toMatchObject({ httpStatus: 401 });
  });

  it('refuses a token that is not signed by the keys', async () => {
    const { verify } = await setUp({ userId: 'u1' });
    await expect(verify('a.b.c', [profile.for(request)])).rejects.toMatchObject({ httpStatus: 401 });
  });
});

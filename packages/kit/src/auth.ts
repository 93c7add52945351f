import type { accountsV1 } from '@parley/contracts';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { unauthorized } from './errors.ts';
import { unary } from './grpc/client.ts';
import type { Cache } from './ports.ts';
import type { Cached, CachedRead } from './cache/cached.ts';

export interface AuthContext {
  userId: string;
  sessionId: string;
}

/** What accounts keeps in the cache under sessionKey(sid). */
export type CachedSession = { userId: string; revoked?: false } | { revoked: true };

export const sessionKey = (sessionId: string): string => `session:${sessionId}`;

export const ACCESS_TOKEN_ISSUER = 'parley-accounts';
export const ACCESS_TOKEN_AUDIENCE = 'parley';

export interface TokenVerifierOptions {
  keys: JWTVerifyGetKey;
  cache: Cache;
  /**
   * Asked when the cache has no entry for a session (the cache was flushed or restarted):
   * true if the session is still live. Accounts answers from its database and re-warms the
   * cache; without it a missing entry means the session is gone.
   */
  sessionFallback?: (sessionId: string, userId: string) => Promise<boolean>;
}

/**
 * Cache keys the verifier reads in the same round trip as the session (one MGET), and how to
 * decode what they held: a ReadAhead bound to its request (ReadAhead.for).
 */
export interface SessionSideRead {
  readonly keys: (caller: AuthContext) => readonly string[];
  readonly decode: (raw: readonly unknown[]) => CachedRead<unknown>;
}

/**
 * A cached entry a route reads together with the caller's session, in the same cache round trip
 * (one MGET): for the hottest routes (GET /users/me reads the caller's profile this way, sending
 * a message the sender's membership and the group's members). Make one with
 * `readAhead(cachedThing, (caller, request) => id)`; the route's handler takes the read with
 * `entry.from(request)` and, on a miss, loads and writes back through the same cached thing.
 */
export interface ReadAhead<T> {
  /** The cache keys to read for this caller and request: none when `id` names nothing (a malformed path id). */
  readonly keys: (caller: AuthContext, request: FastifyRequest) => readonly string[];
  /** What those keys held, as a read of the cached thing. */
  readonly decode: (raw: readonly unknown[]) => CachedRead<T>;
  /** The read bound to a request, as the verifier takes it. */
  for(request: FastifyRequest): SessionSideRead;
  /**
   * What the cache held, read with the session (value undefined on a miss, or when `id` named
   * nothing), or undefined when the request's verifier did not read ahead (then the route reads
   * it itself).
   */
  from(request: FastifyRequest): CachedRead<T> | undefined;
}

/** The entry of `thing` named by `id(caller, request)`, read with the session; undefined names none. */
export function readAhead<T>(thing: Pick<Cached<T>, 'readKeys' | 'decode'>, id: (caller: AuthContext, request: FastifyRequest) => string | undefined): ReadAhead<T> {
  const entry: ReadAhead<T> = {
    keys: (caller, request) => {
      const named = id(caller, request);
      return named === undefined ? [] : thing.readKeys(named);
    },
    decode: (raw) => thing.decode(raw),
    for: (request) => ({ keys: (caller) => entry.keys(caller, request), decode: entry.decode }),
    from: (request) => request.readAhead?.get(entry) as CachedRead<T> | undefined,
  };
  return entry;
}

export interface VerifiedCaller extends AuthContext {
  /** When the access token expires (ms since the epoch, its `exp` claim): a long-lived caller (a socket) ends then. */
  expiresAt: number;
  /**
   * The reads of the entries asked for with `alsoRead`, in order; absent when nothing was asked
   * or the verifier does not read ahead.
   */
  alsoCached?: readonly CachedRead<unknown>[];
}

/**
 * `alongside` runs once the token's signature is known good and before the session is read, in
 * the same tick: cache commands it issues go to Redis in the session read's round trip (the
 * client pipelines what one tick issues). It learns the caller before the session is checked.
 */
export type TokenVerifier = (token: string, alsoRead?: readonly SessionSideRead[], alongside?: (caller: AuthContext) => void) => Promise<VerifiedCaller>;

/**
 * Verifies an access token (EdDSA JWT signed by accounts, checked against its JWKS) and that
 * its session is still live, so a logout or revocation takes effect on the very next request.
 * `alsoRead` entries are fetched in the same cache round trip as the session (one MGET), so a
 * route that needs the caller's cached data pays one round trip, not two. The answer carries the
 * token's expiry, so no caller decodes the token again.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const verified = new VerifiedTokens(10_000);
  return async (token, alsoRead, alongside) => {
    const claims = verified.get(token) ?? verified.put(token, await verifySignature(token, options.keys));
    if (claims.expiresAt <= Date.now()) throw unauthorized('The access token has expired.');
    const caller = { userId: claims.userId, sessionId: claims.sessionId };
    alongside?.(caller);
    const extraKeys = alsoRead?.map((entry) => entry.keys(caller)) ?? [];
    const [session, ...extraValues] =
      extraKeys.length === 0
        ? [await options.cache.get<CachedSession>(sessionKey(caller.sessionId))]
        : await options.cache.getMany<unknown>([sessionKey(caller.sessionId), ...extraKeys.flat()]);
    const entry = session as CachedSession | undefined;
    const live = entry ? !entry.revoked && entry.userId === caller.userId : ((await options.sessionFallback?.(caller.sessionId, caller.userId)) ?? false);
    if (!live) throw unauthorized('The session has ended; sign in again.');
    const verifiedCaller = { ...caller, expiresAt: claims.expiresAt };
    if (!alsoRead || extraKeys.length === 0) return verifiedCaller;
    let offset = 0;
    const alsoCached = alsoRead.map((entry, i) => entry.decode(extraValues.slice(offset, (offset += extraKeys[i]!.length))));
    return { ...verifiedCaller, alsoCached };
  };
}

interface TokenClaims {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

async function verifySignature(token: string, keys: JWTVerifyGetKey): Promise<TokenClaims> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['EdDSA'],
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'sid', 'exp'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthorized('The access token has expired.');
    throw unauthorized('The access token is not valid.');
  }
  const sessionId = payload['sid'];
  if (typeof payload.sub !== 'string' || typeof sessionId !== 'string' || typeof payload.exp !== 'number') {
    throw unauthorized('The access token is not valid.');
  }
  return { userId: payload.sub, sessionId, expiresAt: payload.exp * 1000 };
}

/**
 * Tokens whose signature already checked out, so a client's repeated requests skip the
 * signature check (the costliest step of a cheap request). Expiry and the session are
 * still checked on every request; only valid tokens are remembered, oldest dropped first.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, TokenClaims>();
  constructor(private readonly max: number) {}

  get(token: string): TokenClaims | undefined {
    return this.entries.get(token);
  }

  put(token: string, claims: TokenClaims): TokenClaims {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, claims);
    return claims;
  }
}

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([\w.~+/=-]+)$/i.exec(header.trim()) : null;
  if (!match?.[1]) throw unauthorized();
  return match[1];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
    /** What requireAuth's `alsoRead` entries held in the cache, by entry (see ReadAhead.from). */
    readAhead?: ReadonlyMap<ReadAhead<unknown>, CachedRead<unknown>>;
  }
}

export interface RequireAuthOptions {
  /** Cache entries read in the same round trip as the session (ReadAhead). */
  alsoRead?: readonly ReadAhead<unknown>[];
  /**
   * Work started in the same tick as the session read, so its cache commands share that round
   * trip (the send's rate counter). It runs before the session is known to be live: it may only
   * do what is harmless for an ended session, and the route must still await its result.
   */
  alongside?: (caller: AuthContext, request: FastifyRequest) => void;
}

/**
 * A hook that requires a valid token and puts `request.auth` in place; with `alsoRead`, also
 * what those cache entries held (read in the same round trip as the session), for ReadAhead.from.
 * Routes take it through authRoutes (http/routes.ts), which runs it on onRequest.
 */
export const requireAuth =
  (verify: TokenVerifier, options: RequireAuthOptions = {}) =>
  async (request: FastifyRequest): Promise<void> => {
    const { alsoRead, alongside } = options;
    const { userId, sessionId, alsoCached } = await verify(
      bearerToken(request),
      alsoRead?.map((entry) => entry.for(request)),
      alongside && ((caller) => alongside(caller, request)),
    );
    request.auth = { userId, sessionId };
    if (alsoRead && alsoCached) request.readAhead = new Map(alsoRead.map((entry, i) => [entry, alsoCached[i]!]));
  };

/** The caller of an authenticated route (requireAuth ran before). */
export function callerOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthorized();
  return request.auth;
}

/**
 * The token verifier of a service in its own process (distributed mode): accounts' public
 * keys from its JWKS (fetched and refreshed by jose), sessions from the shared cache, and
 * accounts' CheckSession over gRPC when the cache has lost a session entry.
 */
export function createRemoteTokenVerifier(options: { accountsUrl: string; cache: Cache; accounts: accountsV1.UsersClient; deadlineMs?: number }): TokenVerifier {
  const { deadlineMs } = options;
  return createTokenVerifier({
    keys: createRemoteJWKSet(new URL('/.well-known/jwks.json', options.accountsUrl)),
    cache: options.cache,
    sessionFallback: async (sessionId, userId) => (await unary(options.accounts, 'checkSession', { sessionId, userId }, { deadlineMs, idempotent: true })).live,
  });
}

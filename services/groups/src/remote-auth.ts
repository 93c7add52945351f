import type { accountsV1 } from '@parley/contracts';
import { createTokenVerifier, unary, type Cache, type TokenVerifier } from '@parley/kit';
import { createRemoteJWKSet } from 'jose';

/**
 * The token verifier of a service in its own process: accounts' public keys from its JWKS
 * (fetched and refreshed by jose), sessions from the shared cache, and accounts' CheckSession
 * over gRPC when the cache has no entry for a session.
 */
export function createRemoteTokenVerifier(options: { accountsUrl: string; cache: Cache; accounts: accountsV1.UsersClient }): TokenVerifier {
  return createTokenVerifier({
    keys: createRemoteJWKSet(new URL('/.well-known/jwks.json', options.accountsUrl)),
    cache: options.cache,
    sessionFallback: async (sessionId, userId) =>
      (await unary(options.accounts, 'checkSession', { sessionId, userId }, { deadlineMs: 2000, retries: 2 })).live,
  });
}

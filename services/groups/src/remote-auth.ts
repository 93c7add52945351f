import type { accountsV1 } from '@parley/contracts';
import { createRemoteTokenVerifier as createKitRemoteVerifier, unary, type Cache, type TokenVerifier } from '@parley/kit';

/** The kit's remote verifier with accounts' CheckSession over gRPC as the session fallback. */
export function createRemoteTokenVerifier(options: { accountsUrl: string; cache: Cache; accounts: accountsV1.UsersClient }): TokenVerifier {
  return createKitRemoteVerifier({
    accountsUrl: options.accountsUrl,
    cache: options.cache,
    checkSession: async (sessionId, userId) =>
      (await unary(options.accounts, 'checkSession', { sessionId, userId }, { deadlineMs: 2000, retries: 2 })).live,
  });
}

import { unauthorized } from '@parley/kit';
import { findRefreshTokenForUpdate, insertRefreshToken, markRefreshTokenUsed, touchSession } from '../db/session.repository.ts';
import type { AccountsContext, ClientInfo } from './context.ts';
import { revokeSessions } from './revoke-sessions.ts';
import { activateSession, type TokenPair } from './start-session.ts';
import { hashRefreshToken, newRefreshToken } from './tokens.ts';

type Outcome = { kind: 'rotated'; pair: TokenPair; userId: string } | { kind: 'reused'; sessionId: string; userId: string } | { kind: 'invalid' };

/**
 * Rotates a refresh token: the old one is spent, a new pair is issued. Presenting a spent
 * token again means it leaked (or the client misbehaves), so the whole session is revoked.
 */
export async function refreshSession(ctx: AccountsContext, refreshToken: string, client: ClientInfo): Promise<TokenPair> {
  const hash = hashRefreshToken(refreshToken);
  const outcome = await ctx.db.transaction(async (tx): Promise<Outcome> => {
    const token = await findRefreshTokenForUpdate(tx, hash);
    if (!token || token.session_revoked || token.expires_at.getTime() <= Date.now()) return { kind: 'invalid' };
    if (token.used_at) return { kind: 'reused', sessionId: token.session_id, userId: token.user_id };
    await markRefreshTokenUsed(tx, hash);
    const next = newRefreshToken();
    const expiresAt = new Date(Date.now() + ctx.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000);
    await insertRefreshToken(tx, { hash: hashRefreshToken(next), sessionId: token.session_id, expiresAt });
    await touchSession(tx, token.session_id, client.ip, expiresAt);
    const accessToken = await ctx.tokens.issueAccessToken(token.user_id, token.session_id);
    return {
      kind: 'rotated',
      userId: token.user_id,
      pair: { accessToken, refreshToken: next, expiresIn: ctx.tokens.accessTokenTtlSeconds, sessionId: token.session_id },
    };
  });
  switch (outcome.kind) {
    case 'invalid':
      throw unauthorized('The refresh token is not valid.');
    case 'reused':
      ctx.logger.warn({ sessionId: outcome.sessionId, userId: outcome.userId }, 'refresh token reused; revoking session');
      await revokeSessions(ctx, outcome.userId, [outcome.sessionId], 'refresh_token_reused');
      throw unauthorized('The refresh token was already used; the session has been ended.');
    case 'rotated':
      await activateSession(ctx, outcome.pair.sessionId, outcome.userId);
      return outcome.pair;
  }
}

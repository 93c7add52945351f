import { notFound } from '@parley/kit';
import { listLiveSessions, revokeSessions as revokeSessionRows } from '../db/session.repository.ts';
import type { AccountsContext } from './context.ts';
import { events } from './events.ts';
import { cacheRevokedSessions } from './session-store.ts';

export type RevokeReason = 'logout' | 'revoked_by_user' | 'password_changed' | 'refresh_token_reused';

/**
 * Ends sessions: durable in the database (with a `session.revoked` event each, in the same
 * transaction) and at once in the cache, so access tokens of those sessions fail on the very
 * next request to any service.
 */
export async function revokeSessions(
  ctx: Pick<AccountsContext, 'db' | 'cache' | 'outbox' | 'tokens'>,
  userId: string,
  sessionIds: readonly string[],
  reason: RevokeReason,
): Promise<string[]> {
  const revoked = await events.transaction(ctx, async (tx, emit) => {
    const ids = await revokeSessionRows(tx, userId, sessionIds, reason);
    emit('session.revoked', ...ids.map((sessionId) => ({ userId, sessionId, reason })));
    return ids;
  });
  await cacheRevokedSessions(ctx.cache, revoked, ctx.tokens.accessTokenTtlSeconds);
  return revoked;
}

/** DELETE /auth/sessions/:id: only the caller's own sessions; others' are "not found". */
export async function revokeOwnSession(ctx: AccountsContext, userId: string, sessionId: string): Promise<void> {
  const revoked = await revokeSessions(ctx, userId, [sessionId], 'revoked_by_user');
  if (revoked.length === 0) throw notFound('session');
}

/** Every live session of the user except one (after a password change). */
export async function revokeOtherSessions(ctx: AccountsContext, userId: string, keepSessionId: string): Promise<string[]> {
  const others = (await listLiveSessions(ctx.db, userId)).map((s) => s.id).filter((id) => id !== keepSessionId);
  return others.length > 0 ? revokeSessions(ctx, userId, others, 'password_changed') : [];
}

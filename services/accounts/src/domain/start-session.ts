import { newId, type Queryable } from '@parley/kit';
import { insertRefreshToken, insertSession } from '../db/session.repository.ts';
import type { AccountsContext, ClientInfo } from './context.ts';
import { cacheLiveSession } from './session-store.ts';
import { hashRefreshToken, newRefreshToken } from './tokens.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

const DAY_MS = 86_400_000;

/** Opens a session inside the caller's transaction; call `activate` once it has committed. */
export async function openSession(ctx: Pick<AccountsContext, 'config' | 'tokens'>, tx: Queryable, userId: string, client: ClientInfo): Promise<TokenPair> {
  const sessionId = newId();
  const expiresAt = new Date(Date.now() + ctx.config.REFRESH_TOKEN_TTL_DAYS * DAY_MS);
  await insertSession(tx, { id: sessionId, userId, device: client.device, ip: client.ip, expiresAt });
  const refreshToken = newRefreshToken();
  await insertRefreshToken(tx, { hash: hashRefreshToken(refreshToken), sessionId, expiresAt });
  return {
    sessionId,
    refreshToken,
    accessToken: await ctx.tokens.issueAccessToken(userId, sessionId),
    expiresIn: ctx.tokens.accessTokenTtlSeconds,
  };
}

/** Makes a committed session visible to every service's token check. */
export async function activateSession(ctx: Pick<AccountsContext, 'cache' | 'config'>, sessionId: string, userId: string): Promise<void> {
  await cacheLiveSession(ctx.cache, sessionId, userId, ctx.config.REFRESH_TOKEN_TTL_DAYS * 86_400);
}

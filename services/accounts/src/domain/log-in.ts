import { unauthorized } from '@parley/kit';
import { findUserWithSecretByLogin, type UserRow } from '../db/user.repository.ts';
import type { AccountsContext, ClientInfo } from './context.ts';
import { verifyPassword } from './passwords.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { recordActivity } from './record-activity.ts';
import { activateSession, openSession, type TokenPair } from './start-session.ts';

export const LAST_LOGIN_JOB = 'user.last_login';

/**
 * Logs in by username or email. A wrong password and an unknown login answer the same 401
 * after the same work, so answers reveal nothing about which accounts exist. Failures slow the
 * address they came from down (login-throttle.ts), never the account as a whole.
 */
export async function logIn(ctx: AccountsContext, input: { login: string; password: string }, client: ClientInfo): Promise<{ user: UserRow } & TokenPair> {
  const { config, limits, cache } = ctx;
  await limits.hit(`auth-ip:${client.ip}`, config.AUTH_MAX_PER_IP, config.LOGIN_WINDOW_SECONDS);
  const found = await findUserWithSecretByLogin(ctx.db, input.login);
  // Failures count per account, so guessing through the username and the email shares one
  // budget; a login that matches no account is limited the same way under its own name.
  const accountKey = found ? `user:${found.id}` : `login:${input.login.toLowerCase()}`;
  const throttle = createLoginThrottle(cache, limits, config);
  await throttle.assertMayTry(accountKey, client.ip);

  const ok = await verifyPassword(found?.password_hash, input.password);
  if (!found || !ok) {
    await throttle.recordFailure(accountKey, client.ip);
    throw unauthorized('The login or password is wrong.');
  }
  const { password_hash: _secret, ...user } = found;
  const pair = await ctx.db.transaction((tx) => openSession(ctx, tx, user.id, client));
  await activateSession(ctx, pair.sessionId, user.id);
  await throttle.recordSuccess(accountKey, client.ip);
  await ctx.jobs.add(LAST_LOGIN_JOB, { userId: user.id, at: new Date().toISOString() }).catch((error: unknown) => {
    // Only "last login" shown on the profile: without the queue (Redis down) it is dropped.
    ctx.logger.warn({ err: error }, 'could not queue last-login update; dropped');
  });
  await recordActivity(ctx, user.id, 'login', { ip: client.ip, device: client.device });
  return { user, ...pair };
}

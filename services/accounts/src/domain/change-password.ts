import { badRequest, notFound } from '@parley/kit';
import { findUserWithSecretById, updatePasswordHash } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { recordActivity } from './record-activity.ts';
import { revokeOtherSessions } from './revoke-sessions.ts';

/** Changes the password and ends every other session (a stolen session does not survive it). */
export async function changePassword(
  ctx: AccountsContext,
  caller: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await findUserWithSecretById(ctx.db, caller.userId);
  if (!user) throw notFound('user');
  if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw badRequest('The current password is wrong.', { 'body.currentPassword': ['is wrong'] });
  }
  await updatePasswordHash(ctx.db, caller.userId, await hashPassword(input.newPassword));
  await revokeOtherSessions(ctx, caller.userId, caller.sessionId);
  await recordActivity(ctx, caller.userId, 'password_changed');
}

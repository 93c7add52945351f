import { findLiveSession } from '../db/session.repository.ts';
import type { AccountsContext } from './context.ts';
import { activateSession } from './start-session.ts';

/**
 * The token check's fallback when the cache has lost a session entry (Redis restarted without
 * persistence): the database decides, and a live session is put back in the cache.
 */
export async function checkSessionFromDatabase(ctx: Pick<AccountsContext, 'db' | 'cache' | 'config'>, sessionId: string, userId: string): Promise<boolean> {
  const session = await findLiveSession(ctx.db, sessionId);
  if (!session || session.user_id !== userId) return false;
  await activateSession(ctx, sessionId, userId);
  return true;
}

import type { AnyEvent } from '@parley/contracts';
import { listDirectPartnerIds } from '../db/conversation.repository.ts';
import type { MessagesContext } from './context.ts';
import { invalidateRecent } from './recent-cache.ts';
import { profiles } from './user-profiles.ts';

/**
 * A user's profile changed: drop our cached copy (usernames resolve @mentions), and the chat
 * lists that show their display name as a direct chat's title.
 */
export async function syncUserProfile(ctx: Pick<MessagesContext, 'db' | 'cache'>, event: Extract<AnyEvent, { type: 'user.updated' }>): Promise<void> {
  const { userId, changes } = event.data;
  await profiles.invalidate(ctx.cache, [userId]);
  if (changes.displayName !== undefined || changes.username !== undefined) {
    const partners = await listDirectPartnerIds(ctx.db, userId);
    if (partners.length > 0) await invalidateRecent(ctx.cache, partners);
  }
}

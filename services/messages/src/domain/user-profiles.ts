import { cached, unary } from '@parley/kit';
import type { MessagesContext } from './context.ts';

/** The few profile fields messages needs: usernames for @mentions, display names for chat titles. */
export interface ProfileView {
  id: string;
  username: string;
  displayName: string;
}

/** Entries are invalidated by the user.updated consumer, the TTL only bounds memory. */
export const profiles = cached<ProfileView>({ name: 'messages:user', ttlSeconds: 3600 });
/** accounts' GetUsers takes at most 500 ids per call. */
const BATCH = 500;

/** Profiles by id, from the cache where possible (accounts GetUsers for the rest); unknown ids are absent. */
export async function getProfiles(
  ctx: Pick<MessagesContext, 'cache' | 'accounts' | 'config' | 'logger'>,
  ids: readonly string[],
): Promise<Map<string, ProfileView>> {
  if (ids.length === 0) return new Map();
  return profiles.getMany(ctx.cache, ids, async (missing) => {
    const found: [string, ProfileView][] = [];
    for (let start = 0; start < missing.length; start += BATCH) {
      const answer = await unary(ctx.accounts, 'getUsers', { ids: missing.slice(start, start + BATCH) }, { idempotent: true, logger: ctx.logger });
      for (const user of answer.users) found.push([user.id, { id: user.id, username: user.username, displayName: user.displayName }]);
    }
    return found;
  });
}

import { unary } from '@parley/kit';
import type { MessagesContext } from './context.ts';

/** The few profile fields messages needs: usernames for @mentions, display names for chat titles. */
export interface ProfileView {
  id: string;
  username: string;
  displayName: string;
}

/** Long: entries are deleted by the user.updated consumer, the TTL only bounds memory. */
const TTL_SECONDS = 3600;
/** accounts' GetUsers takes at most 500 ids per call. */
const BATCH = 500;

export const profileKey = (userId: string): string => `messages:user:${userId}`;

/** Profiles by id, from the cache where possible (accounts GetUsers for the rest); unknown ids are absent. */
export async function getProfiles(
  ctx: Pick<MessagesContext, 'cache' | 'accounts' | 'config' | 'logger'>,
  ids: readonly string[],
): Promise<Map<string, ProfileView>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, ProfileView>();
  if (unique.length === 0) return found;
  const cached = await ctx.cache.getMany<ProfileView>(unique.map(profileKey));
  const missing = unique.filter((id, i) => {
    const hit = cached[i];
    if (hit) found.set(id, hit);
    return !hit;
  });
  for (let start = 0; start < missing.length; start += BATCH) {
    const answer = await unary(
      ctx.accounts,
      'getUsers',
      { ids: missing.slice(start, start + BATCH) },
      { deadlineMs: ctx.config.GRPC_DEADLINE_MS, retries: 2, logger: ctx.logger },
    );
    await Promise.all(
      answer.users.map(async (user) => {
        const profile: ProfileView = { id: user.id, username: user.username, displayName: user.displayName };
        found.set(user.id, profile);
        await ctx.cache.set(profileKey(user.id), profile, TTL_SECONDS);
      }),
    );
  }
  return found;
}

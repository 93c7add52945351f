import type { AccountsContext } from './context.ts';

export const LAST_SEEN_JOB = 'user.last_seen';
const THROTTLE_MS = 60_000;

/**
 * Records that a user was active, at most once a minute per user and instance, through the
 * worker so the request itself pays nothing but a map look-up.
 */
export function createLastSeenTracker(ctx: Pick<AccountsContext, 'jobs' | 'logger'>): (userId: string) => void {
  const lastQueued = new Map<string, number>();
  return (userId) => {
    const now = Date.now();
    if (now - (lastQueued.get(userId) ?? 0) < THROTTLE_MS) return;
    lastQueued.set(userId, now);
    if (lastQueued.size > 100_000) lastQueued.clear(); // bound memory; worst case one extra job per user
    ctx.jobs
      .add(LAST_SEEN_JOB, { userId, at: new Date(now).toISOString() }, { jobId: `last-seen:${userId}:${Math.floor(now / THROTTLE_MS)}` })
      // Dropped without the queue (Redis down): the next request a minute later queues it again.
      .catch((error: unknown) => ctx.logger.debug({ err: error }, 'could not queue last-seen update'));
  };
}

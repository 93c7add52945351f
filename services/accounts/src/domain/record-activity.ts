import { newId } from '@parley/kit';
import { insertActivity, type ActivityKind } from '../db/activity.repository.ts';
import type { AccountsContext } from './context.ts';

export const ACTIVITY_JOB = 'activity.record';

export interface ActivityJob {
  id: string;
  userId: string;
  kind: ActivityKind;
  detail: Record<string, unknown>;
  occurredAt: string;
}

/**
 * Hands an activity entry to the worker, off the request path. The entry id doubles as the
 * job id and the row's primary key, so a retried or duplicated job records it once. When the
 * job queue is unavailable (Redis down) the entry is written here instead: the security
 * history must not lose a login or a password change.
 */
export async function recordActivity(
  ctx: Pick<AccountsContext, 'jobs' | 'logger' | 'db'>,
  userId: string,
  kind: ActivityKind,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const job: ActivityJob = { id: newId(), userId, kind, detail, occurredAt: new Date().toISOString() };
  try {
    await ctx.jobs.add(ACTIVITY_JOB, job, { jobId: job.id });
  } catch (queueError) {
    try {
      await insertActivity(ctx.db, { ...job, occurredAt: new Date(job.occurredAt) });
    } catch (error) {
      // The user's action already succeeded; a lost history line must not turn it into an error.
      ctx.logger.warn({ err: error, queueError, userId, kind }, 'could not record activity entry');
    }
  }
}

import { eventsCleanUpJob, startJobs, type JobHandler, type Jobs, type PeriodicJob } from '@parley/kit';
import { insertActivity } from '../db/activity.repository.ts';
import { purgeExpiredTokens } from '../db/session.repository.ts';
import { markIdleAway, recordLogin, recordSeen } from '../db/user.repository.ts';
import type { AccountsContext } from '../domain/context.ts';
import { events } from '../domain/events.ts';
import { LAST_LOGIN_JOB } from '../domain/log-in.ts';
import { ACTIVITY_JOB, type ActivityJob } from '../domain/record-activity.ts';
import { LAST_SEEN_JOB } from '../domain/touch-last-seen.ts';
import { invalidateUser, invalidateUsers } from '../domain/user-cache.ts';

export const PURGE_TOKENS_JOB = 'tokens.purge_expired';
export const MARK_IDLE_JOB = 'users.mark_idle_away';

type WorkerContext = Pick<AccountsContext, 'db' | 'cache' | 'outbox' | 'config' | 'logger'>;

/** The jobs the API adds (jobs.add). Every handler is idempotent: a job retried after a crash or a failure changes nothing twice. */
function addedJobHandlers(ctx: WorkerContext): Record<string, JobHandler> {
  return {
    [ACTIVITY_JOB]: async (data) => {
      const job = data as ActivityJob;
      await insertActivity(ctx.db, { ...job, occurredAt: new Date(job.occurredAt) });
    },
    [LAST_LOGIN_JOB]: async (data) => {
      const { userId, at } = data as { userId: string; at: string };
      await recordLogin(ctx.db, userId, new Date(at));
      await invalidateUser(ctx.cache, userId);
    },
    [LAST_SEEN_JOB]: async (data) => {
      const { userId, at } = data as { userId: string; at: string };
      await events.transaction(ctx, async (tx, emit) => {
        if (await recordSeen(tx, userId, new Date(at))) emit('user.status_changed', { userId, status: 'online' });
      });
      await invalidateUser(ctx.cache, userId);
    },
  };
}

/** The clean-ups, each run once per interval across all workers. */
function accountsPeriodicJobs(ctx: WorkerContext): PeriodicJob[] {
  return [
    {
      name: PURGE_TOKENS_JOB,
      everyMs: 3_600_000,
      async run() {
        const purged = await purgeExpiredTokens(ctx.db, new Date());
        if (purged > 0) ctx.logger.info({ purged }, 'purged expired refresh tokens');
      },
    },
    {
      name: MARK_IDLE_JOB,
      everyMs: 60_000,
      async run() {
        const before = new Date(Date.now() - ctx.config.IDLE_AWAY_SECONDS * 1000);
        const idle = await events.transaction(ctx, async (tx, emit) => {
          const ids = await markIdleAway(tx, before);
          emit('user.status_changed', ...ids.map((userId) => ({ userId, status: 'away' as const })));
          return ids;
        });
        await invalidateUsers(ctx.cache, idle);
        if (idle.length > 0) ctx.logger.info({ count: idle.length }, 'marked idle users away');
      },
    },
    eventsCleanUpJob(ctx.db),
  ];
}

/**
 * Every job of the accounts worker (BullMQ in distributed mode, in-process standalone), by name:
 * tests run one directly.
 */
export function accountsJobHandlers(ctx: WorkerContext): Record<string, JobHandler> {
  const periodic = accountsPeriodicJobs(ctx).map((job): [string, JobHandler] => [job.name, async () => void (await job.run())]);
  return { ...addedJobHandlers(ctx), ...Object.fromEntries(periodic) };
}

/** Starts processing and schedules the periodic clean-ups (once across all workers). */
export async function startAccountsWorker(ctx: WorkerContext, jobs: Jobs): Promise<void> {
  await startJobs(jobs, { handlers: addedJobHandlers(ctx), periodic: accountsPeriodicJobs(ctx), concurrency: 4 });
}

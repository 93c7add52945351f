import type { Logger } from '../logger.ts';
import type { JobHandler, Jobs } from '../ports.ts';

/**
 * Work that runs every so often on state every instance of a service shares (its database,
 * Redis): it runs through the service's jobs queue, so one run per interval across the cluster
 * (BullMQ's job schedulers), and in standalone mode in-process (memory jobs), with no timer of
 * its own. Copy services/notifications/src/domain/prune-notifications.ts.
 */
export interface PeriodicJob {
  /** The job's name in the service's queue (`notifications.prune`). */
  name: string;
  /** Pause between runs; 0 (or less) turns the job off and removes the schedule an earlier start left. */
  everyMs: number;
  /**
   * One run. A throw is logged by the queue and the next interval is the retry. `'stop'` ends the
   * schedule for every instance, until the next start schedules it again (the work cannot be done
   * here, say without the right to).
   */
  run(): Promise<void | 'stop'>;
}

export interface StartJobsOptions {
  /** The periodic jobs of the service. */
  periodic?: readonly PeriodicJob[];
  /** Handlers of the jobs the service adds itself (jobs.add). */
  handlers?: Record<string, JobHandler>;
  concurrency?: number;
}

/**
 * Starts working on a service's queue: the handlers and the periodic jobs run in this process, and
 * each periodic job is scheduled (an upsert: every instance calls it, and one run happens per
 * interval). Called once per queue and process, where the service starts its workers.
 */
export async function startJobs(jobs: Jobs, options: StartJobsOptions): Promise<void> {
  const periodic = options.periodic ?? [];
  const runs = periodic.map((job): [string, JobHandler] => [
    job.name,
    async () => {
      if ((await job.run()) === 'stop') await jobs.unrepeat(job.name);
    },
  ]);
  await jobs.work({ ...options.handlers, ...Object.fromEntries(runs) }, options.concurrency === undefined ? {} : { concurrency: options.concurrency });
  for (const job of periodic) {
    if (job.everyMs > 0) await jobs.repeat(job.name, job.everyMs);
    else await jobs.unrepeat(job.name);
  }
}

/**
 * startJobs without holding up the service's start, for a service that serves while Redis is
 * away (groups, notifications): BullMQ's working and scheduling wait for Redis, and so would the
 * start. The jobs begin once the queue is reachable; a failure to start them is logged.
 */
export function startJobsWhenReady(jobs: Jobs, options: StartJobsOptions, logger: Logger): void {
  startJobs(jobs, options).catch((err: unknown) => logger.error({ err }, 'jobs: working on the queue did not start'));
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, UnrecoverableError, Worker, type Job, type KeepJobs } from 'bullmq';
import { Redis } from 'ioredis';
import { quitRedis } from '../cache/redis-cache.ts';
import { errorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { JobHandler, JobOptions, Jobs } from '../ports.ts';

export interface BullmqJobsOptions {
  url: string;
  /** The BullMQ queue name, one per service (`accounts`). */
  queue: string;
  logger: Logger;
  /** Namespaces every key of the queue in Redis (BullMQ's default is `bull`). */
  prefix?: string;
}

// Bounded history: enough to inspect on a dashboard without Redis growing forever.
const removeOnComplete: KeepJobs = { age: 24 * 3600, count: 1_000 };
const removeOnFail: KeepJobs = { age: 7 * 24 * 3600, count: 5_000 };

const DRAIN_POLL_MS = 50;

/**
 * BullMQ delayed-set score: due time in ms × 0x1000 plus a counter (see BullMQ's
 * getDelayedScore.lua). Below this bound: delayed jobs due by now.
 */
const dueScoreBound = (now: number): number => (now + 1) * 0x1000 - 1;

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const isConnectionError = (error: Error): boolean =>
  CONNECTION_ERRORS.has(String(errorCode(error))) || /Connection is closed|Stream isn't writeable|MaxRetriesPerRequest/i.test(error.message);

/** Background jobs on BullMQ: retries with exponential back-off, schedulers run once across workers. */
export function createBullmqJobs(options: BullmqJobsOptions): Jobs {
  const { logger } = options;
  const prefix = options.prefix ?? 'bull';
  // Queue commands fail after one reconnection attempt or 2 s, so `add` rejects rather than hangs,
  // and once connected a command issued while Redis is away fails at once (BullMQ's "failing fast
  // when Redis is down"): producers on a request path decide what to do without the job.
  // The worker's connection must wait forever instead: BullMQ requires it for its blocking fetch,
  // which runs on a duplicate of this connection that the Worker owns.
  const queueConnection = new Redis(options.url, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
  queueConnection.once('ready', () => {
    queueConnection.options.enableOfflineQueue = false;
  });
  let workerConnection: Redis | undefined;
  // BullMQ reports connection errors through the queue's and the worker's 'error' events, logged
  // below; these listeners only keep ioredis from printing them once more when BullMQ isn't
  // listening (before it starts, after it closes).
  const ignore = (): void => undefined;
  queueConnection.on('error', ignore);

  // While Redis is away every reconnection attempt of every connection fails: one line when that
  // starts and one when Redis is back, not one per attempt.
  let unavailableSince: number | undefined;
  const reportError = (what: string) => (error: Error) => {
    if (!isConnectionError(error)) {
      logger.error({ err: error, queue: options.queue }, `jobs ${what} error`);
      return;
    }
    if (unavailableSince !== undefined) return;
    unavailableSince = Date.now();
    logger.warn({ err: error, queue: options.queue, dependency: 'redis' }, 'jobs: redis unavailable; enqueues fail at once, workers wait');
  };
  queueConnection.on('ready', () => {
    if (unavailableSince === undefined) return;
    logger.info({ queue: options.queue, dependency: 'redis', unavailableMs: Date.now() - unavailableSince }, 'jobs: redis is back');
    unavailableSince = undefined;
  });

  const queue = new Queue<unknown>(options.queue, { connection: queueConnection, prefix });
  queue.on('error', reportError('queue'));
  let worker: Worker<unknown> | undefined;

  /** Waiting, prioritised and running jobs plus delayed ones already due. */
  const busy = async (): Promise<number> => {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active');
    const queued = Object.values(counts).reduce((sum, count) => sum + count, 0);
    if (queued > 0) return queued;
    return queueConnection.zcount(queue.toKey('delayed'), 0, dueScoreBound(Date.now()));
  };

  const onFailed = (job: Job<unknown> | undefined, error: Error): void => {
    if (!job) {
      logger.error({ err: error, queue: options.queue }, 'job failed');
      return;
    }
    const context = { err: error, queue: options.queue, job: { id: job.id, name: job.name, attempt: job.attemptsMade } };
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) logger.error(context, 'job failed');
    else logger.warn(context, 'job failed, will retry');
  };

  return {
    async add(name: string, data: unknown, jobOptions: JobOptions = {}): Promise<void> {
      await queue.add(name, data, {
        // Deduplication rather than a fixed jobId: it lasts while the job is pending (retries
        // included) and ends when it completes or fails, whereas a jobId would keep blocking new
        // jobs for as long as the finished one stays in the bounded history.
        ...(jobOptions.jobId !== undefined && { deduplication: { id: jobOptions.jobId } }),
        ...(jobOptions.delayMs !== undefined && jobOptions.delayMs > 0 && { delay: jobOptions.delayMs }),
        attempts: Math.max(1, jobOptions.attempts ?? 5),
        backoff: { type: 'exponential', delay: jobOptions.backoffMs ?? 1_000 },
        removeOnComplete,
        removeOnFail,
      });
    },

    async repeat(name: string, everyMs: number, data?: unknown): Promise<void> {
      // The scheduler lives in Redis under this id: every process may upsert it, one job runs per
      // interval. A failed run is not retried; the next interval is the retry.
      await queue.upsertJobScheduler(name, { every: everyMs }, { name, data, opts: { attempts: 1, removeOnComplete, removeOnFail } });
    },

    async unrepeat(name: string): Promise<void> {
      await queue.removeJobScheduler(name);
    },

    async work(handlers: Record<string, JobHandler>, workOptions: { concurrency?: number } = {}): Promise<void> {
      if (worker) throw new Error(`jobs: already working on queue ${options.queue}`);
      const byName = new Map(Object.entries(handlers));
      workerConnection = new Redis(options.url, { maxRetriesPerRequest: null });
      workerConnection.on('error', ignore);
      worker = new Worker<unknown>(
        options.queue,
        async (job) => {
          const handler = byName.get(job.name);
          // Another release of the service may know this job; this one never will, so no retries.
          if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}"`);
          await handler(job.data, { id: job.id ?? '', attempt: job.attemptsMade + 1 });
        },
        {
          connection: workerConnection,
          prefix,
          concurrency: workOptions.concurrency ?? 1,
          // A job whose worker died mid-run (a crash, a SIGKILL, a node drained) is run again once
          // its lock expires; BullMQ's default gives up after one such interruption and the job's
          // effect is lost. Jobs are idempotent (keyed by id), so allow a few interruptions.
          maxStalledCount: 5,
        },
      );
      worker.on('failed', onFailed);
      worker.on('error', reportError('worker'));
      await worker.waitUntilReady();
    },

    async drain(timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      // Counts and the delayed set are read separately, so a job can move between the two reads;
      // two idle readings in a row rule that out.
      for (let idleReadings = 0; ;) {
        idleReadings = (await busy()) === 0 ? idleReadings + 1 : 0;
        if (idleReadings === 2) return;
        if (Date.now() >= deadline) throw new Error(`jobs: queue ${options.queue} not drained within ${timeoutMs} ms`);
        await sleep(DRAIN_POLL_MS);
      }
    },

    async ping(): Promise<boolean> {
      try {
        return (await queueConnection.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      // The worker first: it finishes its running jobs while the queue can still record them.
      await worker?.close();
      await queue.close();
      await Promise.all([quitRedis(queueConnection), workerConnection ? quitRedis(workerConnection) : undefined]);
    },
  };
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.ts';
import type { JobHandler, JobOptions, Jobs } from '../ports.ts';

export interface MemoryJobsOptions {
  logger: Logger;
}

interface QueuedJob {
  id: string;
  name: string;
  /** Data as JSON, as BullMQ stores it: every attempt gets its own copy. */
  json: string;
  attempt: number;
  attempts: number;
  backoffMs: number;
  dedupeId?: string;
  /** Set on runs of a repeat: the name of the repeat. */
  repeat?: string;
}

interface Delayed {
  timer: NodeJS.Timeout;
  dueAt: number;
}

interface Repeat {
  timer: NodeJS.Timeout;
  /** Queued or running: the next interval is skipped rather than overlapping it. */
  pending: boolean;
}

const DRAIN_POLL_MS = 10;

/** Undefined data comes back as `{}`, as from BullMQ. */
const toJson = (data: unknown): string => JSON.stringify(data) ?? '{}';

/**
 * In-process jobs for standalone mode, with the BullMQ adapter's semantics: delays, retries with
 * exponential back-off, dedupe by jobId while pending, repeats. Nothing survives a restart.
 */
export function createMemoryJobs(options: MemoryJobsOptions): Jobs {
  const { logger } = options;
  const ready: QueuedJob[] = [];
  const delayed = new Set<Delayed>();
  const repeats = new Map<string, Repeat>();
  const pendingIds = new Set<string>();
  const running = new Set<Promise<void>>();
  let handlers: Map<string, JobHandler> | undefined;
  let concurrency = 1;
  let sequence = 0;
  let pumpScheduled = false;
  let closed = false;

  const nextId = (): string => String(++sequence);

  const enqueue = (job: QueuedJob, delayMs: number): void => {
    if (delayMs <= 0) {
      ready.push(job);
      schedulePump();
      return;
    }
    const dueAt = Date.now() + delayMs;
    const entry: Delayed = {
      dueAt,
      timer: setTimeout(() => {
        delayed.delete(entry);
        // Timers run on a monotonic clock and may fire a millisecond before Date.now() reaches
        // dueAt: never start a delayed job before its delay, by the wall clock either.
        enqueue(job, dueAt - Date.now());
      }, delayMs),
    };
    delayed.add(entry);
  };

  /** Jobs start on a later turn of the event loop, never inside add's call stack. */
  const schedulePump = (): void => {
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  };

  const pump = (): void => {
    if (!handlers || closed) return;
    while (running.size < concurrency) {
      const job = ready.shift();
      if (!job) return;
      const run: Promise<void> = execute(job, handlers).finally(() => {
        running.delete(run);
        schedulePump();
      });
      running.add(run);
    }
  };

  const settle = (job: QueuedJob): void => {
    if (job.dedupeId !== undefined) pendingIds.delete(job.dedupeId);
    const repeat = job.repeat === undefined ? undefined : repeats.get(job.repeat);
    if (repeat) repeat.pending = false;
  };

  const execute = async (job: QueuedJob, known: Map<string, JobHandler>): Promise<void> => {
    const context = { id: job.id, name: job.name, attempt: job.attempt };
    const handler = known.get(job.name);
    if (!handler) {
      // Same as BullMQ: a job nobody knows fails at once, without retries.
      logger.error({ err: new Error(`no handler for job "${job.name}"`), job: context }, 'job failed');
      settle(job);
      return;
    }
    try {
      await handler(JSON.parse(job.json), { id: job.id, attempt: job.attempt });
      settle(job);
    } catch (error) {
      if (job.attempt < job.attempts && !closed) {
        logger.warn({ err: error, job: context }, 'job failed, will retry');
        enqueue({ ...job, attempt: job.attempt + 1 }, job.backoffMs * 2 ** (job.attempt - 1));
      } else {
        logger.error({ err: error, job: context }, 'job failed');
        settle(job);
      }
    }
  };

  const assertOpen = (): void => {
    if (closed) throw new Error('jobs are closed');
  };

  const isDrained = (now: number): boolean => ready.length === 0 && running.size === 0 && ![...delayed].some((entry) => entry.dueAt <= now);

  return {
    async add(name: string, data: unknown, jobOptions: JobOptions = {}): Promise<void> {
      assertOpen();
      const { jobId } = jobOptions;
      if (jobId !== undefined) {
        if (pendingIds.has(jobId)) return;
        pendingIds.add(jobId);
      }
      const job: QueuedJob = {
        id: nextId(),
        name,
        json: toJson(data),
        attempt: 1,
        attempts: Math.max(1, jobOptions.attempts ?? 5),
        backoffMs: jobOptions.backoffMs ?? 1_000,
        ...(jobId !== undefined && { dedupeId: jobId }),
      };
      enqueue(job, jobOptions.delayMs ?? 0);
    },

    async repeat(name: string, everyMs: number, data?: unknown): Promise<void> {
      assertOpen();
      // Upsert, as BullMQ's scheduler: calling again replaces the interval and data.
      const previous = repeats.get(name);
      if (previous) clearInterval(previous.timer);
      const json = toJson(data);
      const tick = (): void => {
        const repeat = repeats.get(name);
        if (!repeat || repeat.pending) return;
        repeat.pending = true;
        // A failed run is not retried: the next interval is the retry.
        enqueue({ id: nextId(), name, json, attempt: 1, attempts: 1, backoffMs: 0, repeat: name }, 0);
      };
      repeats.set(name, { timer: setInterval(tick, everyMs), pending: previous?.pending ?? false });
      // The first run is due at once, as with BullMQ's `every`.
      tick();
    },

    async unrepeat(name: string): Promise<void> {
      clearInterval(repeats.get(name)?.timer);
      repeats.delete(name);
    },

    async work(known: Record<string, JobHandler>, workOptions: { concurrency?: number } = {}): Promise<void> {
      assertOpen();
      if (handlers) throw new Error('jobs: already working');
      handlers = new Map(Object.entries(known));
      concurrency = Math.max(1, workOptions.concurrency ?? 1);
      schedulePump();
    },

    async drain(timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!isDrained(Date.now())) {
        if (Date.now() >= deadline) throw new Error(`jobs: not drained within ${timeoutMs} ms`);
        await sleep(DRAIN_POLL_MS);
      }
    },

    async ping(): Promise<boolean> {
      return !closed;
    },

    async close(): Promise<void> {
      closed = true;
      // No timer may outlive close: the process must be able to exit.
      for (const entry of delayed) clearTimeout(entry.timer);
      delayed.clear();
      for (const repeat of repeats.values()) clearInterval(repeat.timer);
      repeats.clear();
      ready.length = 0;
      // As BullMQ's worker does, let running jobs finish.
      await Promise.allSettled([...running]);
    },
  };
}

import type { Logger } from '../logger.ts';

export interface Every {
  /** Clears the timer; resolves when the run in progress, if any, is over. */
  stop(): Promise<void>;
}

export interface EveryOptions {
  logger: Logger;
  /** What runs, for the log line of a failed run (`presence sweep`). */
  what: string;
}

/**
 * Housekeeping of this process's own state (its sockets, its in-memory batches, its keys), which
 * every instance runs for itself: `fn` every `ms`. Runs never overlap (a tick that comes while a
 * run is still going is skipped), a throw is logged as a warning and the next tick runs as usual,
 * and the timer never keeps the process alive. Work on state the instances share is a
 * PeriodicJob (periodic.ts) instead: it runs once per interval across the cluster.
 */
export function every(ms: number, fn: () => void | Promise<void>, options: EveryOptions): Every {
  let running: Promise<void> | undefined;
  const tick = (): void => {
    if (running) return;
    running = (async () => fn())()
      .catch((err: unknown) => options.logger.warn({ err, what: options.what }, `${options.what} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { every } from '../src/jobs/every.ts';
import type { Logger } from '../src/logger.ts';

/** A logger that records its warnings. */
const recordingLogger = (): { logger: Logger; warnings: string[] } => {
  const warnings: string[] = [];
  const logger = { warn: (_context: unknown, message: string) => void warnings.push(message) } as unknown as Logger;
  return { logger, warnings };
};

describe('every (housekeeping of one process)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every interval, and never while the previous run is still going', async () => {
    const { logger } = recordingLogger();
    const runs: (() => void)[] = [];
    const timer = every(100, () => new Promise<void>((resolve) => runs.push(resolve)), { logger, what: 'slow work' });
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(1);
    // Three more intervals pass while the first run is going: they are skipped, not queued.
    await vi.advanceTimersByTimeAsync(300);
    expect(runs).toHaveLength(1);
    runs[0]!();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toHaveLength(2);
    runs[1]!();
    await timer.stop();
  });

  it('logs a failed run, sync or async, and runs again at the next interval', async () => {
    const { logger, warnings } = recordingLogger();
    let calls = 0;
    const timer = every(
      50,
      () => {
        calls += 1;
        if (calls === 1) throw new Error('sync failure');
        return Promise.reject(new Error('async failure'));
      },
      { logger, what: 'flaky work' },
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    expect(warnings).toEqual(['flaky work failed', 'flaky work failed']);
    await timer.stop();
  });

  it('stops: no timer left, and stop waits for the run in progress', async () => {
    const { logger } = recordingLogger();
    let finish: () => void = () => undefined;
    let finished = false;
    const timer = every(
      100,
      () =>
        new Promise<void>((resolve) => {
          finish = () => {
            finished = true;
            resolve();
          };
        }),
      { logger, what: 'work' },
    );
    await vi.advanceTimersByTimeAsync(100);
    const stopped = timer.stop();
    expect(vi.getTimerCount()).toBe(0);
    finish();
    await stopped;
    expect(finished).toBe(true);
  });
});

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createRedisCache } from '../../src/cache/redis-cache.ts';
import { createBullmqJobs } from '../../src/jobs/bullmq-jobs.ts';
import { createMemoryJobs } from '../../src/jobs/memory-jobs.ts';
import { startJobs } from '../../src/jobs/periodic.ts';
import { createLogger } from '../../src/logger.ts';
import type { JobContext, Jobs } from '../../src/ports.ts';
import { adapterKinds, testUrls, uniqueName } from '../../src/testing/infra.ts';

const logger = createLogger('jobs-contract-test', 'silent');
const waitOptions = { timeout: 15_000, interval: 25 };

interface Run {
  data: unknown;
  ctx: JobContext;
  at: number;
}

describe.each(adapterKinds())('Jobs contract (%s)', (kind) => {
  // Every test gets its own queue; all of this run's queues share one Redis key prefix.
  const prefix = uniqueName('parley_test_jobs');
  const open: Jobs[] = [];

  const openJobs = (): Jobs => {
    const jobs = kind === 'embedded' ? createMemoryJobs({ logger }) : createBullmqJobs({ url: testUrls.redis, queue: uniqueName('queue'), prefix, logger });
    open.push(jobs);
    return jobs;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((jobs) => jobs.close()));
  });

  afterAll(async () => {
    if (kind !== 'real') return;
    const redis = createRedisCache({ url: testUrls.redis });
    await redis.delPrefix(`${prefix}:`);
    await redis.close();
  });

  it('answers ping', async () => {
    expect(await openJobs().ping()).toBe(true);
  });

  it('runs a job with its data', async () => {
    const jobs = openJobs();
    const runs: Run[] = [];
    await jobs.work({ 'user.last-login': async (data, ctx) => void runs.push({ data, ctx, at: Date.now() }) });
    await jobs.add('user.last-login', { userId: 'u1', at: '2024-01-01T00:00:00.000Z' });
    await vi.waitFor(() => expect(runs).toHaveLength(1), waitOptions);
    expect(runs[0]?.data).toEqual({ userId: 'u1', at: '2024-01-01T00:00:00.000Z' });
    expect(runs[0]?.ctx.attempt).toBe(1);
    expect(runs[0]?.ctx.id).toEqual(expect.any(String));
  });

  it('runs jobs added before work started', async () => {
    const jobs = openJobs();
    const seen: unknown[] = [];
    await jobs.add('early', { n: 1 });
    await jobs.add('early', { n: 2 });
    await jobs.work({ early: async (data) => void seen.push(data) });
    await vi.waitFor(() => expect(seen).toHaveLength(2), waitOptions);
    expect(seen).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));
  });

  it('dispatches by name', async () => {
    const jobs = openJobs();
    const seen: string[] = [];
    await jobs.work(
      {
        'a.job': async () => void seen.push('a'),
        'b.job': async () => void seen.push('b'),
      },
      { concurrency: 2 },
    );
    await jobs.add('a.job', {});
    await jobs.add('b.job', {});
    await vi.waitFor(() => expect([...seen].sort()).toEqual(['a', 'b']), waitOptions);
  });

  it('retries a failing job with a growing attempt count until it succeeds', async () => {
    const jobs = openJobs();
    const attempts: number[] = [];
    await jobs.work({
      flaky: async (_data, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} fails`);
      },
    });
    await jobs.add('flaky', { n: 1 }, { attempts: 5, backoffMs: 20 });
    await vi.waitFor(() => expect(attempts).toEqual([1, 2, 3]), waitOptions);
    await jobs.drain(10_000);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('gives up after the allowed attempts', async () => {
    const jobs = openJobs();
    const attempts: number[] = [];
    await jobs.work({
      broken: async (_data, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('always fails');
      },
    });
    await jobs.add('broken', {}, { attempts: 2, backoffMs: 10 });
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]), waitOptions);
    await jobs.drain(10_000);
    expect(attempts).toEqual([1, 2]);
  });

  it('fails a job nobody handles without stopping the others', async () => {
    const jobs = openJobs();
    const seen: unknown[] = [];
    await jobs.work({ known: async (data) => void seen.push(data) });
    await jobs.add('unknown', {}, { attempts: 3, backoffMs: 10 });
    await jobs.add('known', { ok: true });
    await vi.waitFor(() => expect(seen).toEqual([{ ok: true }]), waitOptions);
    await jobs.drain(10_000);
  });

  it('keeps one job per jobId while it is pending, and takes the id again once it is done', async () => {
    const jobs = openJobs();
    const seen: unknown[] = [];
    await jobs.add('last-seen', { v: 1 }, { jobId: 'user:9' });
    await jobs.add('last-seen', { v: 2 }, { jobId: 'user:9' });
    await jobs.add('last-seen', { v: 3 }, { jobId: 'user:10' });
    await jobs.work({ 'last-seen': async (data) => void seen.push(data) });
    await jobs.drain(10_000);
    expect(seen).toEqual(expect.arrayContaining([{ v: 1 }, { v: 3 }]));
    expect(seen).toHaveLength(2);

    await jobs.add('last-seen', { v: 4 }, { jobId: 'user:9' });
    await vi.waitFor(() => expect(seen).toContainEqual({ v: 4 }), waitOptions);
  });

  it('runs a delayed job later, not before its delay', async () => {
    const jobs = openJobs();
    const runs: Run[] = [];
    await jobs.work({ reminder: async (data, ctx) => void runs.push({ data, ctx, at: Date.now() }) });
    const addedAt = Date.now();
    await jobs.add('reminder', { text: 'later' }, { delayMs: 400 });
    await vi.waitFor(() => expect(runs).toHaveLength(1), waitOptions);
    // A lower bound only: how much later it runs depends on the machine.
    expect(runs[0]!.at - addedAt).toBeGreaterThanOrEqual(400);
    expect(runs[0]?.data).toEqual({ text: 'later' });
  });

  it('does not count a delayed job that is not due yet as pending in drain', async () => {
    const jobs = openJobs();
    const seen: unknown[] = [];
    await jobs.work({ far: async (data) => void seen.push(data), near: async (data) => void seen.push(data) });
    await jobs.add('far', { when: 'in an hour' }, { delayMs: 3_600_000 });
    await jobs.add('near', { when: 'now' });
    await jobs.drain(10_000);
    expect(seen).toEqual([{ when: 'now' }]);
  });

  it('runs a repeated job again and again', async () => {
    const jobs = openJobs();
    const runs: Run[] = [];
    await jobs.work({ 'cleanup.sessions': async (data, ctx) => void runs.push({ data, ctx, at: Date.now() }) });
    await jobs.repeat('cleanup.sessions', 150, { olderThanDays: 30 });
    await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(3), waitOptions);
    expect(runs.every((run) => (run.data as { olderThanDays: number }).olderThanDays === 30)).toBe(true);
  });

  it('ends a repeat once unrepeated: a job due three intervals later finds no repeat run before it', async () => {
    const jobs = openJobs();
    const seen: string[] = [];
    await jobs.work({ tick: async () => void seen.push('tick'), marker: async () => void seen.push('marker') });
    await jobs.repeat('tick', 100);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(2), waitOptions);
    await jobs.unrepeat('tick');
    await jobs.drain(10_000);
    const ticks = seen.length;
    // Had the repeat outlived unrepeat, its runs would be due every 100 ms, before the marker.
    await jobs.add('marker', {}, { delayMs: 350 });
    await vi.waitFor(() => expect(seen).toContain('marker'), waitOptions);
    expect(seen.slice(ticks)).toEqual(['marker']);
  });

  it('startJobs runs the handlers and the periodic jobs; a run that answers stop ends its schedule, and everyMs 0 schedules nothing', async () => {
    const jobs = openJobs();
    const seen: string[] = [];
    await startJobs(jobs, {
      handlers: { added: async () => void seen.push('added') },
      periodic: [
        {
          name: 'once',
          everyMs: 100,
          run: async () => {
            seen.push('once');
            return 'stop';
          },
        },
        { name: 'off', everyMs: 0, run: async () => void seen.push('off') },
      ],
    });
    await vi.waitFor(() => expect(seen).toContain('once'), waitOptions);
    await jobs.drain(10_000);
    // Runs of 'once' would be due every 100 ms, before this one.
    await jobs.add('added', {}, { delayMs: 350 });
    await vi.waitFor(() => expect(seen).toContain('added'), waitOptions);
    expect(seen).toEqual(['once', 'added']);
  });

  it('drains: resolves once every added job has run', async () => {
    const jobs = openJobs();
    const done: number[] = [];
    await jobs.work(
      {
        slow: async (data) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          done.push((data as { n: number }).n);
        },
      },
      { concurrency: 3 },
    );
    for (let n = 0; n < 10; n++) await jobs.add('slow', { n });
    await jobs.drain(15_000);
    expect([...done].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('drain rejects when jobs stay pending past the timeout', async () => {
    const jobs = openJobs();
    await jobs.add('nobody.works', {});
    await expect(jobs.drain(300)).rejects.toThrow();
  });
});

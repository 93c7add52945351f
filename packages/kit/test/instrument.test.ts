import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBus } from '../src/bus/memory-bus.ts';
import { createOutboxRelay, enqueueEvents, makeEvent, outboxMigration } from '../src/bus/outbox.ts';
import { createMemoryCache } from '../src/cache/memory-cache.ts';
import { migrate } from '../src/db/migrate.ts';
import { cacheNameOf, instrumentBus, instrumentCache, instrumentDb, instrumentJobs, operationOf } from '../src/instrument.ts';
import { createMemoryJobs } from '../src/jobs/memory-jobs.ts';
import { createLogger, currentRequestId, requestContext } from '../src/logger.ts';
import { createMetrics, type Metrics } from '../src/metrics.ts';
import type { Db, EventEnvelope } from '../src/ports.ts';
import { adapterKinds, openTestDb, uniqueName } from '../src/testing/infra.ts';

const logger = createLogger('instrument-test', 'silent');

/** The value of one series in a scrape, or undefined when it is absent. */
async function valueOf(metrics: Metrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('cacheNameOf', () => {
  it.each([
    ['messages:recent:0190c1e2-1234-7000-8000-000000000000', 'messages:recent'],
    ['accounts:user:0190c1e2-1234-7000-8000-000000000000', 'accounts:user'],
    ['session:0190c1e2-1234-7000-8000-000000000000', 'session'],
    ['notifications:group-members:0190c1e2-1234-7000-8000-000000000000:3', 'notifications:group-members'],
    ['ratelimit:auth-ip:127.0.0.1', 'ratelimit:auth-ip'],
    ['0190c1e2-1234-7000-8000-000000000000', 'other'],
    ['Weird Key', 'other'],
  ])('%s → %s', (key, name) => expect(cacheNameOf(key)).toBe(name));
});

describe('operationOf', () => {
  it.each([
    ['SELECT 1', 'select'],
    ['\n  insert into outbox (id) values ($1)', 'insert'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'with'],
    ['SELECT * FROM send_message($1)', 'select'],
    ['VACUUM', 'other'],
    ['', 'other'],
  ])('%s → %s', (sql, operation) => expect(operationOf(sql)).toBe(operation));
});

describe('instrumented adapters', () => {
  it('counts cache hits and misses by cache name', async () => {
    const metrics = createMetrics('svc');
    const cache = instrumentCache(createMemoryCache(), metrics);
    await cache.set('accounts:user:1', { a: 1 }, 60);
    await cache.get('accounts:user:1');
    await cache.getMany(['accounts:user:1', 'accounts:user:2', 'messages:recent:3']);
    expect(await valueOf(metrics, 'parley_cache_requests_total{service="svc",cache="accounts:user",result="hit"}')).toBe(2);
    expect(await valueOf(metrics, 'parley_cache_requests_total{service="svc",cache="accounts:user",result="miss"}')).toBe(1);
    expect(await valueOf(metrics, 'parley_cache_requests_total{service="svc",cache="messages:recent",result="miss"}')).toBe(1);
    await cache.close();
  });

  it('counts jobs run and failed by job name', async () => {
    const metrics = createMetrics('svc');
    const jobs = instrumentJobs(createMemoryJobs({ logger }), metrics);
    await jobs.work({ fine: async () => undefined, broken: async () => Promise.reject(new Error('no')) });
    await jobs.add('fine', {});
    await jobs.add('broken', {}, { attempts: 1 });
    await jobs.drain(5000);
    expect(await valueOf(metrics, 'parley_jobs_run_total{service="svc",job="fine"}')).toBe(1);
    expect(await valueOf(metrics, 'parley_jobs_run_total{service="svc",job="broken"}')).toBe(1);
    expect(await valueOf(metrics, 'parley_jobs_failed_total{service="svc",job="broken"}')).toBe(1);
    await jobs.close();
  });

  it("counts events published, consumed, retried and dead-lettered, and runs handlers with the event's request id", async () => {
    const metrics = createMetrics('svc');
    const bus = instrumentBus(createMemoryBus({ logger }), metrics, logger);
    const seen: (string | undefined)[] = [];
    await bus.subscribe({ queue: 'q.ok', bindings: ['thing.*'] }, async () => {
      seen.push(currentRequestId());
    });
    await bus.subscribe({ queue: 'q.bad', bindings: ['thing.*'], maxAttempts: 2, retryBaseMs: 1 }, async () => {
      throw new Error('always');
    });
    const traced = requestContext.run({ requestId: 'req-42' }, () => makeEvent('thing.done', { n: 1 }, 'test'));
    const untraced = makeEvent('thing.done', { n: 2 }, 'test');
    await bus.publish([traced, untraced]);
    await vi.waitFor(async () => expect(await valueOf(metrics, 'parley_events_dead_lettered_total{service="svc",queue="q.bad"}')).toBe(2));
    expect(seen).toEqual(['req-42', untraced.id]);
    expect(await valueOf(metrics, 'parley_events_published_total{service="svc",type="thing.done"}')).toBe(2);
    expect(await valueOf(metrics, 'parley_events_consumed_total{service="svc",queue="q.ok"}')).toBe(2);
    expect(await valueOf(metrics, 'parley_events_retried_total{service="svc",queue="q.bad"}')).toBe(2);
    await bus.close();
  });
});

describe.each(adapterKinds())('the outbox keeps the request id and reports its backlog (%s)', (kind) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('an event made during a request reaches consumers with its request id; pending events and their age are scraped', async () => {
    db = await openTestDb(kind);
    await migrate(db, [outboxMigration]);
    const metrics = createMetrics('svc');
    const measured = instrumentDb(db, metrics);
    const bus = createMemoryBus({ logger });
    const received: EventEnvelope[] = [];
    const queue = uniqueName('q');
    await bus.subscribe({ queue, bindings: ['thing.*'] }, async (event) => {
      received.push(event);
    });
    const events = requestContext.run({ requestId: 'req-outbox' }, () => [makeEvent('thing.done', { n: 1 }, 'test'), makeEvent('thing.done', [1, 2], 'test')]);
    await measured.transaction((tx) => enqueueEvents(tx, events));

    const relay = createOutboxRelay({ db: measured, bus, logger, metrics });
    expect(await valueOf(metrics, 'parley_outbox_pending_events{service="svc"}')).toBe(2);
    expect(await valueOf(metrics, 'parley_outbox_oldest_pending_age_seconds{service="svc"}')).toBeGreaterThanOrEqual(0);
    expect(await relay.flush()).toBe(2);
    await vi.waitFor(() => expect(received).toHaveLength(2));
    expect(received[0]).toMatchObject({ requestId: 'req-outbox', data: { n: 1 } });
    expect(received[0]!.data).not.toHaveProperty('$requestId');
    // Data that is not an object has nowhere to carry it: it arrives as it was.
    expect(received[1]).toMatchObject({ data: [1, 2] });
    expect(await valueOf(metrics, 'parley_outbox_pending_events{service="svc"}')).toBe(0);
    expect(await valueOf(metrics, 'parley_outbox_oldest_pending_age_seconds{service="svc"}')).toBe(0);
    expect(await valueOf(metrics, 'parley_db_pool_connections{service="svc",state="total"}')).toBeGreaterThanOrEqual(1);
    expect(await valueOf(metrics, 'parley_db_query_duration_seconds_count{service="svc",operation="insert"}')).toBe(1);
    await relay.stop();
    await bus.close();
    // PGlite's start alone can take half a minute on a loaded machine.
  }, 180_000);
});

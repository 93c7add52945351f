import { Connection } from 'rabbitmq-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handleOnce, inboxMigration } from '../src/bus/inbox.ts';
import { createMemoryBus } from '../src/bus/memory-bus.ts';
import { createOutboxRelay, enqueueEvents, makeEvent, outboxMigration, purgePublishedEvents, type OutboxRelay } from '../src/bus/outbox.ts';
import { createRabbitBus } from '../src/bus/rabbit-bus.ts';
import { migrate } from '../src/db/migrate.ts';
import { firstIdAt, newId } from '../src/ids.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import type { Bus, Db, EventEnvelope, Queryable } from '../src/ports.ts';
import { Arrivals } from '../src/testing/arrivals.ts';
import { adapterKinds, openTestDb, testUrls, uniqueName } from '../src/testing/infra.ts';
import { startProxy } from '../src/testing/tcp-proxy.ts';

const logger = createLogger('outbox-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const WAIT = { timeout: 20_000, interval: 20 };

type Kind = 'embedded' | 'real';

/** Everything a test opened, closed in reverse order afterwards. */
class Resources {
  private readonly closers: (() => Promise<void>)[] = [];
  add(close: () => Promise<void>): void {
    this.closers.push(close);
  }
  async closeAll(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
    this.closers.length = 0;
  }
}

/** Queues (with their .retry and .dlq) and an exchange to delete from RabbitMQ after a test. */
async function deleteFromRabbit(queues: readonly string[], exchange: string): Promise<void> {
  const admin = new Connection(testUrls.amqp);
  admin.on('error', () => undefined);
  try {
    for (const name of queues) {
      for (const q of [name, `${name}.retry`, `${name}.dlq`]) await admin.queueDelete({ queue: q });
    }
    await admin.exchangeDelete({ exchange });
  } finally {
    await admin.close();
  }
}

/** A bus whose publish fails while `down` is set: the embedded stand-in for a broker outage. */
function flaky(inner: Bus): Bus & { down: boolean } {
  const bus = {
    down: false,
    async publish(events: readonly EventEnvelope[]) {
      if (bus.down) throw new Error('broker unreachable (simulated)');
      await inner.publish(events);
    },
    subscribe: inner.subscribe.bind(inner),
    deadLetters: inner.deadLetters.bind(inner),
    async ping() {
      return !bus.down && (await inner.ping());
    },
    close: inner.close.bind(inner),
  };
  return bus;
}

/** Counts publish calls that failed, so a test can wait for the relay to have hit the outage. */
function countingFailures(inner: Bus): Bus & { failures: number } {
  const bus = {
    failures: 0,
    async publish(events: readonly EventEnvelope[]) {
      try {
        await inner.publish(events);
      } catch (error) {
        bus.failures++;
        throw error;
      }
    },
    subscribe: inner.subscribe.bind(inner),
    deadLetters: inner.deadLetters.bind(inner),
    ping: inner.ping.bind(inner),
    close: inner.close.bind(inner),
  };
  return bus;
}

const event = (type: string, data: unknown = {}): EventEnvelope => makeEvent(type, data, 'outbox-test');

/**
 * A logger that records the back-off of each retry the relay schedules: the relay logs a retry
 * right before arming its timer, so once the entry is there the timer is set.
 */
function retryLog(): { logger: Logger; retries: Arrivals<number> } {
  const retries = new Arrivals<number>();
  const destination = {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; retryInMs?: number };
      if (entry.msg === 'outbox publish failed; will retry' && entry.retryInMs !== undefined) retries.push(entry.retryInMs);
    },
  };
  return { logger: createLogger('outbox-test', 'warn', destination), retries };
}

/**
 * The relay's timers, moved by the test alone, so nothing depends on how fast the machine is.
 * Date stays real: ids (UUIDv7) made under a clock run ahead would stay ahead for the tests after.
 * Under fake timers a test waits on events (Arrivals), not vi.waitFor, which would move the fake
 * clock on every check.
 */
const FAKE_TIMERS: Parameters<typeof vi.useFakeTimers>[0] = { toFake: ['setTimeout', 'clearTimeout'] };

describe.each(adapterKinds())('outbox and inbox (%s)', (kind: Kind) => {
  const resources = new Resources();
  let db: Db;
  let exchange: string;
  let queues: string[];

  const queue = (prefix: string): string => {
    const name = uniqueName(`parley_test_${prefix}`);
    queues.push(name);
    return name;
  };

  /** A bus on the test's exchange, closed after the test. */
  const openBus = (url = testUrls.amqp): Bus => {
    const bus = kind === 'embedded' ? createMemoryBus({ logger }) : createRabbitBus({ url, exchange, logger, publishTimeoutMs: 2000, reconnectMaxMs: 500 });
    resources.add(() => bus.close());
    return bus;
  };

  const openRelay = (
    bus: Bus,
    options: { batchSize?: number; pollMs?: number; maxBackoffMs?: number; lingerMs?: number; deferrableLingerMs?: number; logger?: Logger } = {},
  ): OutboxRelay => {
    const relay = createOutboxRelay({ db, bus, logger, pollMs: 50, maxBackoffMs: 500, ...options });
    resources.add(() => relay.stop());
    return relay;
  };

  /** Subscribes and records every delivery (prefetch 1, so arrival order is publish order). */
  const record = async (bus: Bus, bindings: string[]): Promise<{ queue: string; got: EventEnvelope[]; arrivals: Arrivals<EventEnvelope> }> => {
    const name = queue('outbox');
    const arrivals = new Arrivals<EventEnvelope>();
    await bus.subscribe({ queue: name, bindings, prefetch: 1 }, async (e) => {
      arrivals.push(e);
    });
    return { queue: name, got: arrivals.items, arrivals };
  };

  const commit = (events: EventEnvelope[]): Promise<void> => db.transaction((tx) => enqueueEvents(tx, events));

  const unpublished = async (): Promise<number> =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0]?.n ?? -1;

  // One database for the suite (opening PGlite takes seconds), emptied before every test.
  beforeAll(async () => {
    db = await openTestDb(kind);
    await migrate(db, [outboxMigration, inboxMigration]);
    await db.query('CREATE TABLE applied (event_id uuid NOT NULL, queue text NOT NULL)');
  });

  afterAll(async () => {
    await db?.close();
  });

  beforeEach(async () => {
    exchange = uniqueName('parley_test_events');
    queues = [];
    await db.query('TRUNCATE outbox, processed_events, applied');
  });

  afterEach(async () => {
    await resources.closeAll();
    if (kind === 'real') await deleteFromRabbit(queues, exchange);
  });

  it('purges published events made before the cutoff, in batches, and never an unpublished one', async () => {
    const day = 24 * 60 * 60 * 1000;
    const cutoff = new Date(Date.now() - day);
    // Ids of events made 3 days ago, ~2 days ago, and now (UUIDv7 with random tails).
    const idAt = (msAgo: number, i: number): string => firstIdAt(new Date(Date.now() - msAgo)).slice(0, 24) + i.toString(16).padStart(12, '0');
    const insert = (ids: string[], published: boolean) =>
      db.query(
        `INSERT INTO outbox (id, type, occurred_at, producer, data, published_at)
         SELECT id, 'test.old', now(), 'test', '{}'::jsonb, CASE WHEN $2 THEN now() END FROM unnest($1::uuid[]) AS id`,
        [ids, published],
      );
    const oldPublished = Array.from({ length: 10_050 }, (_, i) => idAt(3 * day, i));
    await insert(oldPublished, true);
    await insert([idAt(2 * day, 1)], false);
    await insert([newId()], true);
    await insert([newId()], false);
    expect(await purgePublishedEvents(db, cutoff)).toBe(10_050);
    const left = await db.query<{ published: boolean; old: boolean }>('SELECT published_at IS NOT NULL AS published, id < $1 AS old FROM outbox ORDER BY id', [
      firstIdAt(cutoff),
    ]);
    expect(left.rows).toEqual([
      { published: false, old: true },
      { published: true, old: false },
      { published: false, old: false },
    ]);
    expect(await purgePublishedEvents(db, cutoff)).toBe(0);
  });

  it('firstIdAt sorts below every id made at or after that moment, and above those made before', () => {
    const before = newId();
    const now = Date.now();
    // A second either side: uuidv7 may run a millisecond ahead of the clock in a burst.
    expect(firstIdAt(new Date(now + 1000)) > before).toBe(true);
    expect(firstIdAt(new Date(now - 1000)) < before).toBe(true);
    expect(firstIdAt(new Date(now - 1000)) < newId()).toBe(true);
    expect(firstIdAt(new Date(0))).toBe('00000000-0000-7000-8000-000000000000');
  });

  it('publishes an event enqueued in a committed transaction', async () => {
    const bus = openBus();
    const { got } = await record(bus, ['order.#']);
    const relay = openRelay(bus);
    relay.start();

    const placed = event('order.placed', { orderId: 7, items: ['a', 'b'], note: null });
    await commit([placed]);
    relay.notify();

    await vi.waitFor(() => expect(got).toHaveLength(1), WAIT);
    expect(got[0]).toEqual(placed);
    await vi.waitFor(async () => expect(await unpublished()).toBe(0), WAIT);
  });

  it('never publishes an event enqueued in a rolled-back transaction', async () => {
    const bus = openBus();
    const { got } = await record(bus, ['order.#']);
    const relay = openRelay(bus);

    const doomed = event('order.doomed');
    await expect(
      db.transaction(async (tx) => {
        await enqueueEvents(tx, [doomed]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const kept = event('order.kept');
    await commit([kept]);

    expect(await relay.flush()).toBe(1);
    await vi.waitFor(() => expect(got.map((e) => e.type)).toContain('order.kept'), WAIT);
    expect(got).toEqual([kept]);
    const rows = await db.query<{ id: string }>('SELECT id FROM outbox');
    expect(rows.rows.map((r) => r.id)).toEqual([kept.id]);
  });

  it('after a broker failure, notify() cuts a long back-off short (but waits pollMs after the failed attempt)', async () => {
    const bus = flaky(openBus());
    const { got, arrivals } = await record(bus, ['backoff.#']);
    const failing = countingFailures(bus);
    const log = retryLog();
    vi.useFakeTimers(FAKE_TIMERS);
    try {
      const relay = openRelay(failing, { pollMs: 100, maxBackoffMs: 60_000, logger: log.logger });
      bus.down = true;
      await commit([event('backoff.first')]);
      relay.start();
      // The first pass, then back-offs of 100, 200, 400, 800 and 1600 ms: six failures; the next wait is 3.2 s.
      for (const [i, wait] of [0, 100, 200, 400, 800, 1600].entries()) {
        await vi.advanceTimersByTimeAsync(wait);
        await log.retries.reached(i + 1);
      }
      expect(log.retries.items).toEqual([100, 200, 400, 800, 1600, 3200]);
      const failuresBefore = failing.failures;
      expect(failuresBefore).toBeGreaterThanOrEqual(6);
      bus.down = false;
      const second = event('backoff.second');
      await commit([second]);
      relay.notify();
      // At most pollMs after the failed attempt, not the 3.2 s back-off: the timers move no further.
      await vi.advanceTimersByTimeAsync(100);
      await arrivals.reached(2);
      expect(got.map((e) => e.type)).toEqual(['backoff.first', 'backoff.second']);
      expect(failing.failures).toBe(failuresBefore);
      await relay.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('with a linger, events notified one after another while it lasts go out in one batch', async () => {
    const bus = openBus();
    const { got, arrivals } = await record(bus, ['linger.#']);
    const batches: number[] = [];
    const counting: Bus = { ...bus, publish: (events) => (batches.push(events.length), bus.publish(events)) };
    vi.useFakeTimers(FAKE_TIMERS);
    try {
      const relay = openRelay(counting, { pollMs: 60_000, lingerMs: 2000 });
      relay.start();
      // The pass start() schedules runs (on an empty outbox) before the events come; flush waits for it.
      await vi.advanceTimersByTimeAsync(0);
      await relay.flush();
      const events = [event('linger.a'), event('linger.b'), event('linger.c')];
      for (const e of events) {
        await commit([e]);
        relay.notify();
      }
      // However long the commits took, the relay's timers stood still: the linger ends now.
      await vi.advanceTimersByTimeAsync(2000);
      await arrivals.reached(3);
      expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(batches).toEqual([3]);
      await relay.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a deferrable notify() waits the longer linger; an urgent one brings the pass forward', async () => {
    const bus = openBus();
    const { got, arrivals } = await record(bus, ['defer.#']);
    const batches: number[] = [];
    const counting: Bus = { ...bus, publish: (events) => (batches.push(events.length), bus.publish(events)) };
    vi.useFakeTimers(FAKE_TIMERS);
    try {
      const relay = openRelay(counting, { pollMs: 60_000, lingerMs: 100, deferrableLingerMs: 5000 });
      relay.start();
      await vi.advanceTimersByTimeAsync(0);
      await relay.flush();

      // Deferrable alone: nothing before the long linger is over, then one batch.
      const quiet = [event('defer.a'), event('defer.b')];
      for (const e of quiet) {
        await commit([e]);
        relay.notify({ deferrable: true });
      }
      await vi.advanceTimersByTimeAsync(4900);
      expect(got).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(100);
      await arrivals.reached(2);
      expect(batches).toEqual([2]);

      // An urgent event while a deferrable pass waits: both go within the short linger.
      await commit([event('defer.c')]);
      relay.notify({ deferrable: true });
      await vi.advanceTimersByTimeAsync(1000);
      await commit([event('defer.d')]);
      relay.notify();
      await vi.advanceTimersByTimeAsync(100);
      await arrivals.reached(4);
      expect(got.map((e) => e.type)).toEqual(['defer.a', 'defer.b', 'defer.c', 'defer.d']);
      expect(batches).toEqual([2, 2]);
      await relay.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('publishes oldest first, in batches', async () => {
    const bus = openBus();
    const { got } = await record(bus, ['seq.#']);
    const relay = openRelay(bus, { batchSize: 4 });
    const events = Array.from({ length: 10 }, (_, n) => event('seq.item', { n }));
    // Committed newest first: the relay still goes by id, which is time-ordered.
    for (const e of [...events].reverse()) await commit([e]);

    expect(await relay.flush()).toBe(10);
    await vi.waitFor(() => expect(got).toHaveLength(10), WAIT);
    expect(got.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(await relay.flush()).toBe(0);
  });

  it('publishes each event exactly once with two relays running concurrently', async () => {
    const bus = openBus();
    const { got } = await record(bus, ['many.#']);
    const events = Array.from({ length: 60 }, (_, n) => event('many.item', { n }));
    await commit(events);

    // Two instances of a service, each with its own relay (and, on RabbitMQ, its own connection;
    // in-process there is only the one bus).
    const relayBuses = kind === 'embedded' ? [bus, bus] : [openBus(), openBus()];
    const relays = relayBuses.map((relayBus) => openRelay(relayBus, { batchSize: 7, pollMs: 10 }));
    relays.forEach((relay) => relay.start());
    const flushed = await Promise.all(relays.flatMap((relay) => [relay.flush(), relay.flush()]));

    await vi.waitFor(async () => expect(await unpublished()).toBe(0), WAIT);
    await Promise.all(relays.map((relay) => relay.stop()));
    // The flushes alone never claim more than there was (the loops published the rest).
    expect(flushed.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60);

    // Anything published twice would arrive before this sentinel (single consumer, prefetch 1).
    await bus.publish([event('many.sentinel')]);
    await vi.waitFor(() => expect(got.at(-1)?.type).toBe('many.sentinel'), WAIT);
    const ids = got.filter((e) => e.type === 'many.item').map((e) => e.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
  });

  it('handleOnce applies an event once and leaves no mark when apply fails', async () => {
    const apply = (e: EventEnvelope) => async (tx: Queryable) => {
      await tx.query('INSERT INTO applied (event_id, queue) VALUES ($1, $2)', [e.id, 'q']);
    };
    const first = event('inbox.first');
    expect(await handleOnce(db, 'q', first, apply(first))).toBe(true);
    expect(await handleOnce(db, 'q', first, apply(first))).toBe(false);
    // Another queue (another consumer) applies it on its own.
    expect(await handleOnce(db, 'other', first, async () => undefined)).toBe(true);

    const second = event('inbox.second');
    await expect(
      handleOnce(db, 'q', second, async (tx) => {
        await apply(second)(tx);
        throw new Error('apply failed');
      }),
    ).rejects.toThrow('apply failed');
    const marks = await db.query('SELECT 1 FROM processed_events WHERE event_id = $1', [second.id]);
    expect(marks.rows).toHaveLength(0);
    expect(await handleOnce(db, 'q', second, apply(second))).toBe(true);

    const applied = await db.query<{ event_id: string }>('SELECT event_id FROM applied ORDER BY event_id');
    expect(applied.rows.map((r) => r.event_id)).toEqual([first.id, second.id].sort());
  });

  it('handleOnce applies a redelivered event once', async () => {
    const bus = openBus();
    const name = queue('inbox');
    let deliveries = 0;
    await bus.subscribe({ queue: name, bindings: ['dup.#'], prefetch: 1 }, async (e) => {
      deliveries++;
      await handleOnce(db, name, e, async (tx) => {
        await tx.query('INSERT INTO applied (event_id, queue) VALUES ($1, $2)', [e.id, name]);
      });
    });
    const twice = event('dup.thing');
    // The same event published twice: what a lost confirm or a crash before the ack produces.
    await bus.publish([twice]);
    await bus.publish([twice]);

    await vi.waitFor(() => expect(deliveries).toBe(2), WAIT);
    const applied = await db.query('SELECT 1 FROM applied WHERE event_id = $1', [twice.id]);
    expect(applied.rows).toHaveLength(1);
  });

  it('an event written while the broker is unreachable is delivered once it is back, exactly once to the handler', async () => {
    // The consumer side reaches the broker directly; only the relay's path is cut.
    let relayBus: Bus & { failures: number };
    let cut: () => Promise<void>;
    let restore: () => Promise<void>;
    let consumerBus: Bus;
    if (kind === 'embedded') {
      const shared = flaky(createMemoryBus({ logger }));
      resources.add(() => shared.close());
      relayBus = countingFailures(shared);
      consumerBus = shared;
      cut = async () => {
        shared.down = true;
      };
      restore = async () => {
        shared.down = false;
      };
    } else {
      const proxy = await startProxy(testUrls.amqp);
      resources.add(() => proxy.close());
      relayBus = countingFailures(openBus(proxy.url));
      consumerBus = openBus();
      cut = () => proxy.cut();
      restore = () => proxy.restore();
    }

    const name = queue('outage');
    const deliveries = new Map<string, number>();
    await consumerBus.subscribe({ queue: name, bindings: ['outage.#'], prefetch: 1 }, async (e) => {
      deliveries.set(e.type, (deliveries.get(e.type) ?? 0) + 1);
      await handleOnce(db, name, e, async (tx) => {
        await tx.query('INSERT INTO applied (event_id, queue) VALUES ($1, $2)', [e.id, name]);
      });
    });
    const relay = openRelay(relayBus, { pollMs: 50 });
    relay.start();

    // The path works before the outage.
    await commit([event('outage.before')]);
    relay.notify();
    await vi.waitFor(() => expect(deliveries.get('outage.before')).toBe(1), WAIT);
    // Delivery can precede the publisher confirm; cutting before the relay has marked the row
    // would leave it (rightly) unpublished and make it be sent again, muddling the count below.
    await vi.waitFor(async () => expect(await unpublished()).toBe(0), WAIT);

    await cut();
    await vi.waitFor(async () => expect(await relayBus.ping()).toBe(false), WAIT);
    const during = event('outage.during', { important: true });
    await commit([during]);
    relay.notify();
    // The relay tried, failed and kept the row.
    await vi.waitFor(() => expect(relayBus.failures).toBeGreaterThanOrEqual(2), WAIT);
    expect(await unpublished()).toBe(1);
    expect(deliveries.has('outage.during')).toBe(false);

    await restore();
    await vi.waitFor(() => expect(deliveries.get('outage.during')).toBe(1), { ...WAIT, timeout: 40_000 });
    await vi.waitFor(async () => expect(await unpublished()).toBe(0), WAIT);

    // A later event goes through the same relay and queue; a duplicate of `during` would have
    // arrived before it.
    await commit([event('outage.after')]);
    relay.notify();
    await vi.waitFor(() => expect(deliveries.get('outage.after')).toBe(1), WAIT);
    expect(deliveries.get('outage.during')).toBe(1);
    const applied = await db.query('SELECT 1 FROM applied WHERE event_id = $1', [during.id]);
    expect(applied.rows).toHaveLength(1);
  }, 90_000);
});

import type { EventData } from '@parley/contracts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { eventProducer, type RelayWaker } from '../../src/bus/events.ts';
import { inboxMigration } from '../../src/bus/inbox.ts';
import { createMemoryBus } from '../../src/bus/memory-bus.ts';
import { createOutboxRelay, enqueueEventMigration, makeEvent, outboxData, outboxMigration, type OutboxRelay } from '../../src/bus/outbox.ts';
import { createRabbitBus } from '../../src/bus/rabbit-bus.ts';
import { defineQueue, subscribe, type Delivery, type Queue } from '../../src/bus/subscribe.ts';
import { migrate } from '../../src/db/migrate.ts';
import { newId } from '../../src/ids.ts';
import { createLogger, requestContext } from '../../src/logger.ts';
import type { Bus, Db, EventEnvelope } from '../../src/ports.ts';
import { deleteRabbitObjects } from '../../src/testing/adapters.ts';
import { Arrivals } from '../../src/testing/arrivals.ts';
import { adapterKinds, openTestDb, testUrls, uniqueName } from '../../src/testing/infra.ts';

/**
 * The events mechanism (kit bus/events.ts and bus/subscribe.ts) on both adapters: a consumer
 * acks and logs an event that breaks its contract, applies a duplicate once through the inbox,
 * and a producer's transaction wakes the relay after its commit, never on a rollback.
 */

const WAIT = { timeout: 20_000, interval: 20 };

/** A logger whose entries the test reads. */
function recordingLogger() {
  const entries: Record<string, unknown>[] = [];
  const logger = createLogger('events-contract-test', 'info', {
    write(line: string) {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { logger, entries };
}

const USER = '0190a3c4-0000-7000-8000-000000000001';
const updated = (userId = USER): EventData<'user.updated'> => ({ userId, changes: { displayName: 'Ada' } });

describe.each(adapterKinds())('events: emit and subscribe (%s)', (kind) => {
  let db: Db;
  let exchange: string;
  let queues: string[];
  const closers: (() => Promise<void>)[] = [];
  const producer = eventProducer('contract-test');

  const openBus = (): Bus => {
    const { logger } = recordingLogger();
    const bus = kind === 'embedded' ? createMemoryBus({ logger }) : createRabbitBus({ url: testUrls.amqp, exchange, logger });
    closers.push(() => bus.close());
    return bus;
  };

  const queueName = (prefix: string): string => {
    const name = uniqueName(`parley_test_${prefix}`);
    queues.push(name);
    return name;
  };

  const openRelay = (bus: Bus): OutboxRelay => {
    const relay = createOutboxRelay({ db, bus, logger: recordingLogger().logger });
    closers.push(() => relay.stop());
    return relay;
  };

  /** Subscribes through the kit and records what the handler was given. */
  const consume = async <E extends EventEnvelope>(bus: Bus, queue: Queue<E>, apply: (event: E, delivery: Delivery) => Promise<void> = async () => undefined) => {
    const { logger, entries } = recordingLogger();
    const handled = new Arrivals<E>();
    const subscription = await subscribe(
      bus,
      queue,
      async (event, delivery) => {
        await apply(event, delivery);
        handled.push(event);
      },
      { logger },
    );
    closers.push(() => subscription.close());
    return { handled, entries };
  };

  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]?.n ?? -1;

  beforeAll(async () => {
    db = await openTestDb(kind);
    await migrate(db, [outboxMigration, enqueueEventMigration, inboxMigration]);
    await db.query('CREATE TABLE applied (event_id uuid NOT NULL)');
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
    for (const close of closers.splice(0).reverse()) await close();
    if (kind === 'real')
      await deleteRabbitObjects(
        queues.flatMap((name) => [name, `${name}.retry`, `${name}.dlq`]),
        exchange,
      );
  });

  it('acknowledges and logs an event that breaks its contract, or has no contract, and hands the handler only valid ones', async () => {
    const bus = openBus();
    // maxAttempts 1: an event the consumer failed on would go straight to the dead letters.
    const queue = defineQueue({ queue: queueName('invalid'), bindings: ['user.*'], prefetch: 1, maxAttempts: 1 });
    const { handled, entries } = await consume(bus, queue);

    const malformed = makeEvent('user.updated', { userId: 'not-a-uuid', changes: {} }, 'contract-test');
    const unknown = makeEvent('user.exploded', { userId: USER }, 'contract-test');
    const valid = makeEvent('user.updated', updated(), 'contract-test');
    await bus.publish([malformed, unknown, valid]);

    await handled.reached(1);
    expect(handled.items.map((e) => e.id)).toEqual([valid.id]);
    expect(handled.items[0]).toEqual(valid);
    const dropped = entries.filter((e) => e.msg === 'dropping an event that breaks its contract');
    expect(dropped.map((e) => e.eventId)).toEqual([malformed.id, unknown.id]);
    expect(dropped.every((e) => e.queue === queue.queue && e.level === 50)).toBe(true);
    expect(await bus.deadLetters(queue.queue)).toEqual([]);
  });

  it('hands a duplicate to the handler again, but applies it once through the inbox; a failed attempt leaves no mark', async () => {
    const bus = openBus();
    const queue = defineQueue({ queue: queueName('dup'), bindings: ['user.updated'], prefetch: 1, retryBaseMs: 10 });
    const outbox = { notify: vi.fn() };
    const { handled } = await consume(bus, queue, async (event, delivery) => {
      await producer.transaction({ db, outbox }, async (tx) => {
        if (!(await delivery.firstTime(tx))) return;
        await tx.query('INSERT INTO applied (event_id) VALUES ($1)', [event.id]);
        // The first attempt at the flaky event fails after writing: the retry must still apply it.
        if (event.data.changes.displayName === 'flaky' && delivery.attempt === 1) throw new Error('failed mid-way');
      });
    });

    const twice = makeEvent('user.updated', updated(), 'contract-test');
    const flaky = makeEvent('user.updated', { userId: USER, changes: { displayName: 'flaky' } }, 'contract-test');
    await bus.publish([twice]);
    await bus.publish([twice, flaky]);

    await handled.reached(3);
    expect(handled.items.map((e) => e.id)).toEqual([twice.id, twice.id, flaky.id]);
    expect(await count('applied WHERE event_id = $1', [twice.id])).toBe(1);
    expect(await count('applied WHERE event_id = $1', [flaky.id])).toBe(1);
    expect(await count('processed_events WHERE queue = $1', [queue.queue])).toBe(2);
    expect(outbox.notify).not.toHaveBeenCalled();
  });

  it('wakes the relay once the transaction has committed, with its events visible to the relay, and not on a rollback', async () => {
    const bus = openBus();
    const queue = defineQueue({ queue: queueName('wake'), bindings: ['user.updated', 'contact.added'], prefetch: 1 });
    const { handled } = await consume(bus, queue);
    const relay = openRelay(bus);
    const steps: string[] = [];
    // The relay is not started: only a wake publishes, and the flush it starts is the proof that
    // the rows are there for the relay's own transaction.
    const published: Promise<number>[] = [];
    const outbox: RelayWaker = {
      notify() {
        steps.push('woken');
        published.push(relay.flush());
      },
    };
    const tracked: Db = {
      ...db,
      async transaction(work) {
        const result = await db.transaction(work);
        steps.push('committed');
        return result;
      },
    };

    const made = await producer.transaction({ db: tracked, outbox }, async (tx, emit) => {
      await tx.query('INSERT INTO applied (event_id) VALUES ($1)', [newId()]);
      emit('user.updated', updated());
      emit('contact.added', { userId: USER, contactId: USER }, { userId: USER, contactId: '0190a3c4-0000-7000-8000-000000000002' });
      return 'made';
    });
    expect(made).toBe('made');
    expect(steps).toEqual(['committed', 'woken']);
    expect(await Promise.all(published)).toEqual([3]);
    await handled.reached(3);
    expect(handled.items.map((e) => [e.type, e.producer])).toEqual([
      ['user.updated', 'contract-test'],
      ['contact.added', 'contract-test'],
      ['contact.added', 'contract-test'],
    ]);

    steps.length = 0;
    await expect(
      producer.transaction({ db: tracked, outbox }, async (tx, emit) => {
        await tx.query('INSERT INTO applied (event_id) VALUES ($1)', [newId()]);
        emit('user.updated', updated());
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(steps).toEqual([]);
    expect(await count('applied')).toBe(1);
    expect(await count('outbox WHERE published_at IS NULL')).toBe(0);

    // Nothing emitted: committed, nothing to wake the relay for.
    await producer.transaction({ db: tracked, outbox }, async (tx) => {
      await tx.query('INSERT INTO applied (event_id) VALUES ($1)', [newId()]);
    });
    expect(steps).toEqual(['committed']);
    expect(published).toHaveLength(1);
  });

  it('a statement writing its own events through enqueue_event() stores the row enqueueEvents would, and wakes the relay only when it wrote', async () => {
    const bus = openBus();
    const queue = defineQueue({ queue: queueName('sql'), bindings: ['user.updated'], prefetch: 1 });
    const { handled } = await consume(bus, queue);
    const relay = openRelay(bus);
    const outbox = { notify: vi.fn(() => void relay.flush()) };

    const event = requestContext.run({ requestId: 'req-sql-1' }, () => producer.event('user.updated', updated()));
    expect(event.requestId).toBe('req-sql-1');
    const write = (envelope: EventEnvelope | undefined) => () =>
      envelope
        ? db.query('SELECT enqueue_event($1, $2, $3, $4, $5::text::jsonb)', [
            envelope.id,
            envelope.type,
            envelope.occurredAt,
            envelope.producer,
            JSON.stringify(outboxData(envelope)),
          ])
        : db.query('SELECT 1');
    await producer.statement({ outbox }, write(undefined), () => false);
    expect(outbox.notify).not.toHaveBeenCalled();
    await producer.statement({ outbox }, write(event), () => true);
    expect(outbox.notify).toHaveBeenCalledTimes(1);

    await handled.reached(1);
    expect(handled.items[0]).toEqual(event);
    await vi.waitFor(async () => expect(await count('outbox WHERE published_at IS NULL')).toBe(0), WAIT);
  });
});

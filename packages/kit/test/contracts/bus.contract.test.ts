import { Connection } from 'rabbitmq-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBus } from '../../src/bus/memory-bus.ts';
import { makeEvent } from '../../src/bus/outbox.ts';
import { createRabbitBus } from '../../src/bus/rabbit-bus.ts';
import { createLogger } from '../../src/logger.ts';
import type { Bus, EventEnvelope } from '../../src/ports.ts';
import { adapterKinds, testUrls, uniqueName } from '../../src/testing/infra.ts';

/**
 * The one contract both bus adapters are held to. Every test uses its own exchange and queues
 * so a run never sees what an earlier one left behind; on RabbitMQ they are deleted afterwards.
 */

const logger = createLogger('bus-contract-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const WAIT = { timeout: 20_000, interval: 20 };

interface Harness {
  bus: Bus;
  /** A fresh queue name, removed (with its .retry and .dlq) after the test. */
  queue(prefix: string): string;
  cleanup(): Promise<void>;
}

async function openHarness(kind: 'embedded' | 'real'): Promise<Harness> {
  const queues: string[] = [];
  const queue = (prefix: string): string => {
    const name = uniqueName(`parley_test_${prefix}`);
    queues.push(name);
    return name;
  };
  if (kind === 'embedded') {
    const bus = createMemoryBus({ logger });
    return { bus, queue, cleanup: () => bus.close() };
  }
  const exchange = uniqueName('parley_test_events');
  const bus = createRabbitBus({ url: testUrls.amqp, exchange, logger });
  return {
    bus,
    queue,
    async cleanup() {
      await bus.close();
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
    },
  };
}

const event = (type: string, data: unknown = {}): EventEnvelope => makeEvent(type, data, 'contract-test');

describe.each(adapterKinds())('Bus contract (%s)', (kind) => {
  let h: Harness;

  beforeEach(async () => {
    h = await openHarness(kind);
  });

  afterEach(async () => {
    await h.cleanup();
  });

  it('routes by routing key with * and # wildcards, and skips what matches no binding', async () => {
    const received = new Map<string, string[]>();
    const subscribe = async (bindings: string[]): Promise<string> => {
      const queue = h.queue('route');
      const types: string[] = [];
      received.set(queue, types);
      // `test.end` comes last: once it is in, everything routed earlier is in too (prefetch 1).
      await h.bus.subscribe({ queue, bindings: [...bindings, 'test.end'], prefetch: 1 }, async (e) => {
        types.push(e.type);
      });
      return queue;
    };
    const exact = await subscribe(['user.created']);
    const star = await subscribe(['user.*']);
    const hash = await subscribe(['message.#']);
    const leadingHash = await subscribe(['#.deleted']);

    const types = [
      'user.created',
      'user.deleted',
      'user.profile.updated',
      'message.created',
      'message',
      'message.reaction.added',
      'group.deleted',
      'nobody.listens',
      'test.end',
    ];
    await h.bus.publish(types.map((type) => event(type)));

    await vi.waitFor(() => {
      for (const got of received.values()) expect(got.at(-1)).toBe('test.end');
    }, WAIT);
    expect(received.get(exact)).toEqual(['user.created', 'test.end']);
    expect(received.get(star)).toEqual(['user.created', 'user.deleted', 'test.end']);
    expect(received.get(hash)).toEqual(['message.created', 'message', 'message.reaction.added', 'test.end']);
    expect(received.get(leadingHash)).toEqual(['user.deleted', 'group.deleted', 'test.end']);
  });

  it('drops an event routed to no queue instead of keeping it for a later subscriber', async () => {
    await h.bus.publish([event('late.early')]);
    const queue = h.queue('late');
    const types: string[] = [];
    await h.bus.subscribe({ queue, bindings: ['late.#'], prefetch: 1 }, async (e) => {
      types.push(e.type);
    });
    await h.bus.publish([event('late.end')]);
    await vi.waitFor(() => expect(types).toContain('late.end'), WAIT);
    expect(types).toEqual(['late.end']);
  });

  it('keeps events for a queue while it has no consumer', async () => {
    const queue = h.queue('parked');
    const first: string[] = [];
    const sub = await h.bus.subscribe({ queue, bindings: ['parked.#'] }, async (e) => {
      first.push(e.type);
    });
    await sub.close();
    await h.bus.publish([event('parked.while_away')]);
    const second: string[] = [];
    await h.bus.subscribe({ queue, bindings: ['parked.#'] }, async (e) => {
      second.push(e.type);
    });
    await vi.waitFor(() => expect(second).toEqual(['parked.while_away']), WAIT);
    expect(first).toEqual([]);
  });

  it('gives each event to exactly one of several competing consumers', async () => {
    const queue = h.queue('compete');
    const byConsumer: string[][] = [[], []];
    let bothServed!: () => void;
    const served = new Promise<void>((resolve) => (bothServed = resolve));
    for (const ids of byConsumer) {
      await h.bus.subscribe({ queue, bindings: ['job.#'], prefetch: 1 }, async (e) => {
        ids.push(e.id);
        if (byConsumer.every((list) => list.length > 0)) bothServed();
        // The first event stays unacked until the other consumer has one too: with this one's
        // prefetch full, the next event can only go to the other.
        await served;
      });
    }
    const events = Array.from({ length: 20 }, (_, i) => event('job.run', { i }));
    // One publish each: events published together may travel as one message (RabbitMQ), which
    // one consumer takes as a whole.
    for (const e of events) await h.bus.publish([e]);

    await vi.waitFor(() => expect(byConsumer.flat()).toHaveLength(20), WAIT);
    const all = byConsumer.flat();
    expect(new Set(all).size).toBe(20);
    expect([...all].sort()).toEqual(events.map((e) => e.id).sort());
    expect(byConsumer[0]?.length).toBeGreaterThan(0);
    expect(byConsumer[1]?.length).toBeGreaterThan(0);
  });

  it('acks only after the handler resolved: a failing handler is retried with a growing attempt', async () => {
    const queue = h.queue('retry');
    const attempts: number[] = [];
    const seen: string[] = [];
    const flaky = event('flaky.thing');
    await h.bus.subscribe({ queue, bindings: ['flaky.#'], retryBaseMs: 20, maxAttempts: 5 }, async (e, ctx) => {
      seen.push(e.type);
      if (e.id !== flaky.id) return;
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error('transient failure');
    });
    await h.bus.publish([flaky]);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2, 3]), WAIT);

    // Once it succeeded it is done: a later event arrives, the flaky one does not come back.
    await h.bus.publish([event('flaky.sentinel')]);
    await vi.waitFor(() => expect(seen).toContain('flaky.sentinel'), WAIT);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await h.bus.deadLetters(queue)).toEqual([]);
  });

  it('retries only the failing event of a batch published together; the others are handled once', async () => {
    const queue = h.queue('batch_retry');
    const handled: string[] = [];
    const batch = Array.from({ length: 6 }, (_, i) => event('part.item', { i }));
    const flaky = batch[2]!;
    const attempts: number[] = [];
    await h.bus.subscribe({ queue, bindings: ['part.#'], retryBaseMs: 20, maxAttempts: 5 }, async (e, ctx) => {
      if (e.id === flaky.id) {
        attempts.push(ctx.attempt);
        if (ctx.attempt < 2) throw new Error('transient failure');
      }
      handled.push(e.id);
    });
    await h.bus.publish(batch);
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]), WAIT);

    await h.bus.publish([event('part.sentinel')]);
    await vi.waitFor(() => expect(handled).toHaveLength(7), WAIT);
    expect([...handled.slice(0, 6)].sort()).toEqual(batch.map((e) => e.id).sort());
    expect(await h.bus.deadLetters(queue)).toEqual([]);
  });

  it('delivers each event of a mixed publish by its own routing key, in order', async () => {
    const queue = h.queue('mixed');
    const got: string[] = [];
    await h.bus.subscribe({ queue, bindings: ['mix.a', 'mix.b'], prefetch: 1 }, async (e) => {
      got.push(`${e.type}:${(e.data as { n: number }).n}`);
    });
    const types = ['mix.a', 'mix.a', 'mix.b', 'mix.c', 'mix.a', 'mix.b', 'mix.b'];
    await h.bus.publish(types.map((type, n) => event(type, { n })));
    await vi.waitFor(() => expect(got).toHaveLength(6), WAIT);
    expect(got).toEqual(['mix.a:0', 'mix.a:1', 'mix.b:2', 'mix.a:4', 'mix.b:5', 'mix.b:6']);
  });

  it('dead-letters an event after maxAttempts and lets deadLetters() peek at it', async () => {
    const queue = h.queue('dlq');
    const attempts: number[] = [];
    await h.bus.subscribe({ queue, bindings: ['doomed.#'], retryBaseMs: 20, maxAttempts: 3 }, async (_e, ctx) => {
      attempts.push(ctx.attempt);
      throw new Error('permanent failure');
    });
    const doomed = event('doomed.thing', { reason: 'always fails', n: 1 });
    await h.bus.publish([doomed]);

    await vi.waitFor(async () => expect(await h.bus.deadLetters(queue)).toHaveLength(1), WAIT);
    expect(attempts).toEqual([1, 2, 3]);
    expect(await h.bus.deadLetters(queue)).toEqual([doomed]);
    // Peeking leaves them where they are.
    expect(await h.bus.deadLetters(queue)).toEqual([doomed]);
  });

  it('returns no dead letters for a queue that has none', async () => {
    expect(await h.bus.deadLetters(h.queue('nothing'))).toEqual([]);
  });

  it('preserves publish order for a single consumer with prefetch 1', async () => {
    const queue = h.queue('order');
    const got: number[] = [];
    await h.bus.subscribe({ queue, bindings: ['seq.#'], prefetch: 1 }, async (e) => {
      got.push((e.data as { n: number }).n);
    });
    const numbers = Array.from({ length: 60 }, (_, n) => n);
    // One batch, then one at a time: order holds within and across publish calls.
    await h.bus.publish(numbers.slice(0, 40).map((n) => event('seq.item', { n })));
    for (const n of numbers.slice(40)) await h.bus.publish([event('seq.item', { n })]);

    await vi.waitFor(() => expect(got).toHaveLength(60), WAIT);
    expect(got).toEqual(numbers);
  });

  it('hands every handler its own copy of the event', async () => {
    const mutated: unknown[] = [];
    const untouched: EventEnvelope[] = [];
    await h.bus.subscribe({ queue: h.queue('copy_a'), bindings: ['copy.#'] }, async (e) => {
      const list = (e.data as { nested: { list: string[] } }).nested.list;
      mutated.push(structuredClone(e.data));
      list.push('changed by handler');
    });
    await h.bus.subscribe({ queue: h.queue('copy_b'), bindings: ['copy.#'] }, async (e) => {
      untouched.push(e);
    });
    const data = { nested: { list: ['original'] } };
    const published = event('copy.made', data);
    await h.bus.publish([published]);
    // Changed after publish: handlers must not see it.
    data.nested.list.push('changed by publisher');

    await vi.waitFor(() => {
      expect(mutated).toHaveLength(1);
      expect(untouched).toHaveLength(1);
    }, WAIT);
    expect(mutated[0]).toEqual({ nested: { list: ['original'] } });
    const copy = untouched[0] as EventEnvelope;
    expect(copy).not.toBe(published);
    expect(copy.data).not.toBe(data);
    expect(copy.data).toEqual({ nested: { list: ['original'] } });
    expect(data.nested.list).toEqual(['original', 'changed by publisher']);
  });

  it('delivers asynchronously, never inside the publish call', async () => {
    const queue = h.queue('async');
    let publishing = false;
    const duringPublish: boolean[] = [];
    await h.bus.subscribe({ queue, bindings: ['async.#'] }, async () => {
      duringPublish.push(publishing);
    });
    publishing = true;
    const published = h.bus.publish([event('async.thing')]);
    publishing = false;
    await published;
    await vi.waitFor(() => expect(duringPublish).toEqual([false]), WAIT);
  });

  it('never runs more handlers at once than the prefetch', async () => {
    const queue = h.queue('prefetch');
    let inFlight = 0;
    let maxInFlight = 0;
    let done = 0;
    const gates: (() => void)[] = [];
    let open = false;
    await h.bus.subscribe({ queue, bindings: ['busy.#'], prefetch: 3 }, async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (!open) await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
      done++;
    });
    await h.bus.publish(Array.from({ length: 10 }, () => event('busy.work')));

    const release = (): void => {
      open = true;
      gates.forEach((resolve) => resolve());
    };
    try {
      await vi.waitFor(() => expect(inFlight).toBe(3), WAIT);
    } finally {
      // Even on failure: a handler left hanging would keep the bus from closing.
      release();
    }
    await vi.waitFor(() => expect(done).toBe(10), WAIT);
    expect(maxInFlight).toBe(3);
  });

  it('answers ping while open', async () => {
    await vi.waitFor(async () => expect(await h.bus.ping()).toBe(true), WAIT);
  });
});

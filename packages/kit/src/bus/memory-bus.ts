import type { Logger } from '../logger.ts';
import { BUS_DEFAULTS, type Bus, type EventEnvelope, type EventHandler, type SubscribeOptions } from '../ports.ts';

/**
 * The in-process bus for standalone mode. It mimics what the RabbitMQ adapter gets from the
 * broker, so services behave the same on both: a topic exchange routing on the event type,
 * queues that exist once subscribed and keep collecting while nobody consumes, competing
 * consumers, prefetch, ack-after-handler, retry with back-off and a dead-letter queue.
 */

/** A message as it sits in a queue: serialized, so nobody shares objects with the publisher. */
interface Message {
  body: string;
  attempt: number;
}

interface Consumer {
  handler: EventHandler;
  prefetch: number;
  maxAttempts: number;
  retryBaseMs: number;
  inFlight: number;
  closed: boolean;
}

interface Queue {
  patterns: Set<string>;
  ready: Message[];
  consumers: Consumer[];
  /** Round-robin cursor over consumers. */
  next: number;
  dead: string[];
}

/**
 * AMQP topic matching: words are separated by dots, `*` is exactly one word, `#` is zero or
 * more words.
 */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    const word = p[i];
    if (word === '#') {
      // Collapse runs of `#`, then try every number of words it could swallow.
      for (let skip = j; skip <= k.length; skip++) if (match(i + 1, skip)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (word === '*' || word === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

export function createMemoryBus(options: { logger?: Logger } = {}): Bus {
  const { logger } = options;
  const queues = new Map<string, Queue>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let closed = false;

  const later = (fn: () => void, ms: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) fn();
    }, ms);
    timers.add(timer);
  };

  const queueOf = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = { patterns: new Set(), ready: [], consumers: [], next: 0, dead: [] };
      queues.set(name, queue);
    }
    return queue;
  };

  /** Next consumer with room under its prefetch, round-robin, or undefined. */
  const pickConsumer = (queue: Queue): Consumer | undefined => {
    const count = queue.consumers.length;
    for (let n = 0; n < count; n++) {
      const index = (queue.next + n) % count;
      const consumer = queue.consumers[index];
      if (consumer && !consumer.closed && consumer.inFlight < consumer.prefetch) {
        queue.next = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  };

  const dispatch = (name: string): void => {
    const queue = queues.get(name);
    if (!queue || closed) return;
    while (queue.ready.length > 0) {
      const consumer = pickConsumer(queue);
      if (!consumer) return;
      const message = queue.ready.shift() as Message;
      deliver(name, queue, consumer, message);
    }
  };

  const deliver = (name: string, queue: Queue, consumer: Consumer, message: Message): void => {
    consumer.inFlight++;
    const event = JSON.parse(message.body) as EventEnvelope;
    const run = (async () => {
      try {
        await consumer.handler(event, { attempt: message.attempt });
      } catch (error) {
        logger?.warn({ err: error, queue: name, eventId: event.id, type: event.type, attempt: message.attempt }, 'event handler failed');
        // Like the broker: retry after retryBaseMs * 2^(attempt-1) at the tail of the queue, or
        // park it in the dead-letter queue once the attempts are used up.
        if (message.attempt >= consumer.maxAttempts) {
          logger?.error({ queue: name, eventId: event.id, type: event.type }, 'event dead-lettered');
          queue.dead.push(message.body);
        } else {
          const delay = consumer.retryBaseMs * 2 ** (message.attempt - 1);
          const retry: Message = { body: message.body, attempt: message.attempt + 1 };
          later(() => {
            queue.ready.push(retry);
            dispatch(name);
          }, delay);
        }
      } finally {
        consumer.inFlight--;
      }
    })();
    running.add(run);
    void run.finally(() => {
      running.delete(run);
      // Schedule rather than recurse, so a long backlog never grows the stack.
      setImmediate(() => dispatch(name));
    });
  };

  return {
    async publish(events) {
      if (closed) throw new Error('memory bus is closed');
      // Serialize now: later changes to the publisher's objects must not reach handlers.
      const bodies = events.map((event) => ({ type: event.type, body: JSON.stringify(event) }));
      const touched = new Set<string>();
      for (const { type, body } of bodies) {
        for (const [name, queue] of queues) {
          if ([...queue.patterns].some((pattern) => topicMatches(pattern, type))) {
            queue.ready.push({ body, attempt: 1 });
            touched.add(name);
          }
        }
      }
      // Deliver outside publish's call stack, as a broker would.
      if (touched.size > 0) setImmediate(() => touched.forEach(dispatch));
    },

    async subscribe(options: SubscribeOptions, handler: EventHandler) {
      if (closed) throw new Error('memory bus is closed');
      const queue = queueOf(options.queue);
      for (const binding of options.bindings) queue.patterns.add(binding);
      const consumer: Consumer = {
        handler,
        prefetch: Math.max(1, options.prefetch ?? BUS_DEFAULTS.prefetch),
        maxAttempts: Math.max(1, options.maxAttempts ?? BUS_DEFAULTS.maxAttempts),
        retryBaseMs: options.retryBaseMs ?? BUS_DEFAULTS.retryBaseMs,
        inFlight: 0,
        closed: false,
      };
      queue.consumers.push(consumer);
      // Messages may already wait in a queue that outlived its previous consumers.
      setImmediate(() => dispatch(options.queue));
      return {
        async close() {
          consumer.closed = true;
          queue.consumers = queue.consumers.filter((c) => c !== consumer);
          queue.next = 0;
          // Let the handlers already running settle, as the RabbitMQ consumer does.
          while (consumer.inFlight > 0) await Promise.allSettled([...running]);
        },
      };
    },

    async deadLetters(queueName) {
      const queue = queues.get(queueName);
      return queue ? queue.dead.map((body) => JSON.parse(body) as EventEnvelope) : [];
    },

    async ping() {
      return !closed;
    },

    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

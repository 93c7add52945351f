import { Connection, type AsyncMessage, type Envelope, type Publisher } from 'rabbitmq-client';
import { errorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { BUS_DEFAULTS, type Bus, type EventEnvelope, type EventHandler, type SubscribeOptions } from '../ports.ts';

/**
 * The bus on RabbitMQ. One durable topic exchange, routing key = event type. Each subscribed
 * queue gets two companions:
 *
 * - `<queue>.retry`: a failed event is republished here with a per-message expiration
 *   (retryBaseMs * 2^(attempt-1)); when it expires the broker dead-letters it back to `<queue>`
 *   through the default exchange. No delayed-message plugin needed.
 * - `<queue>.dlq`: where an event lands after maxAttempts, for operators (deadLetters()).
 *
 * The original delivery is acked only after its successor is confirmed by the broker, so a crash
 * between the two can duplicate an event but never lose it; consumers are idempotent (inbox).
 *
 * Events of one type published together (an outbox relay pass) travel as one message, a JSON
 * array of envelopes (header `x-parley-batch`): one persistent write, one confirm, one delivery and
 * one ack for the lot instead of one each, which was most of the broker's CPU per chat message
 * (bench/RESULTS.md, issue 11). The consumer hands each event to the handler on its own; an event
 * that fails is republished alone to the retry queue, so a batch is never retried as a whole and
 * its other events are not handled again. Handlers see no difference.
 *
 * Known limit of one retry queue with per-message expirations: RabbitMQ only expires messages at
 * the head of a queue, so a retry with a long delay holds back shorter ones queued behind it
 * (they are late, never lost). Per-delay retry queues would lift that if it ever matters.
 */

export interface RabbitBusOptions {
  /** amqp://user:pass@host:port/vhost */
  url: string;
  /** Topic exchange all events go through. Default `parley.events`. */
  exchange?: string;
  logger: Logger;
  /** Upper bound for publish(), including waiting for a connection. Default 5000. */
  publishTimeoutMs?: number;
  /** Upper bound for subscribe() to get its consumer running. Default 10000. */
  subscribeTimeoutMs?: number;
  /** Cap of the reconnect back-off. Default 10000. */
  reconnectMaxMs?: number;
  /** Shown in the broker's management UI. */
  connectionName?: string;
}

/** Delivery attempt of a message, carried across retries (1 on the first delivery). */
const ATTEMPT_HEADER = 'x-parley-attempt';
/** On a message that carries several events (a JSON array of envelopes): how many. */
const BATCH_HEADER = 'x-parley-batch';
/**
 * Most events in one message, and roughly most bytes: a relay pass (100 events by default)
 * fits, and no message comes near the broker's size limits or holds a consumer for long.
 */
const MAX_BATCH_EVENTS = 200;
const MAX_BATCH_BYTES = 512 * 1024;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A message body as JSON (the client parses JSON bodies itself; a raw one is parsed here). */
function parseBody(body: unknown): unknown {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The value as an envelope, or undefined when it is not one of ours. */
function asEnvelope(value: unknown): EventEnvelope | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<EventEnvelope>;
  return typeof candidate.id === 'string' && typeof candidate.type === 'string' ? (value as EventEnvelope) : undefined;
}

/** The envelope in a message body, or undefined when the body is not one of ours. */
const decode = (body: unknown): EventEnvelope | undefined => asEnvelope(parseBody(body));

/**
 * At most `size` tasks at once, the rest started in call order as slots free up: a batch's events
 * share the subscription's prefetch with every other message's.
 */
function createSlots(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter (running stays), or is given back.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

function attemptOf(message: AsyncMessage): number {
  const raw: unknown = message.headers?.[ATTEMPT_HEADER];
  const attempt = typeof raw === 'number' ? raw : Number(raw);
  return Number.isInteger(attempt) && attempt >= 1 ? attempt : 1;
}

/** Message properties every event carries, wherever it is (re)published. */
function eventProperties(event: EventEnvelope): Envelope {
  return { messageId: event.id, type: event.type, contentType: 'application/json', durable: true };
}

const encode = (event: EventEnvelope): Buffer => Buffer.from(JSON.stringify(event), 'utf8');

interface OutgoingMessage {
  envelope: Envelope;
  body: Buffer;
}

/**
 * The messages that carry `events` in order: each run of events of one type becomes one message
 * (an array of envelopes, up to MAX_BATCH_EVENTS and about MAX_BATCH_BYTES), a lone event its own
 * message as before. Only consecutive events are joined, so the broker still gets them in order.
 */
export function batchMessages(exchange: string, events: readonly EventEnvelope[]): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  let run: { first: EventEnvelope; bodies: string[]; bytes: number } | undefined;
  const flush = (): void => {
    if (!run) return;
    const { first, bodies } = run;
    const single = bodies.length === 1;
    messages.push({
      envelope: { ...eventProperties(first), exchange, routingKey: first.type, ...(single ? {} : { headers: { [BATCH_HEADER]: bodies.length } }) },
      body: Buffer.from(single ? bodies[0]! : `[${bodies.join(',')}]`, 'utf8'),
    });
    run = undefined;
  };
  for (const event of events) {
    const body = JSON.stringify(event);
    if (run && (run.first.type !== event.type || run.bodies.length >= MAX_BATCH_EVENTS || run.bytes + body.length > MAX_BATCH_BYTES)) flush();
    run ??= { first: event, bodies: [], bytes: 0 };
    run.bodies.push(body);
    run.bytes += body.length;
  }
  flush();
  return messages;
}

export function createRabbitBus(options: RabbitBusOptions): Bus {
  const exchange = options.exchange ?? 'parley.events';
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const subscribeTimeoutMs = options.subscribeTimeoutMs ?? 10_000;
  const reconnectMaxMs = options.reconnectMaxMs ?? 10_000;
  const logger = options.logger.child({ component: 'rabbit-bus', exchange });

  const connection = new Connection({
    url: options.url,
    // Bounds how long a publish waits for a (re)connection before failing, so the outbox relay
    // gets an error to back off on instead of a promise that never settles.
    acquireTimeout: publishTimeoutMs,
    retryLow: Math.min(1000, reconnectMaxMs),
    retryHigh: reconnectMaxMs,
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
  // The client reconnects by itself; an unhandled 'error' event would crash the process.
  connection.on('error', (err: unknown) => logger.warn({ err }, 'RabbitMQ connection error'));
  connection.on('connection', () => logger.info('RabbitMQ connected'));
  connection.on('connection.blocked', (reason) => logger.warn({ reason }, 'RabbitMQ blocked publishing'));
  connection.on('connection.unblocked', () => logger.info('RabbitMQ unblocked publishing'));

  const exchangeDeclaration = { exchange, type: 'topic', durable: true };
  const publisher = connection.createPublisher({ confirm: true, exchanges: [exchangeDeclaration] });
  const subscriptions = new Set<{ close(): Promise<void> }>();
  let closed = false;

  async function subscribe(subscribeOptions: SubscribeOptions, handler: EventHandler) {
    if (closed) throw new Error('bus is closed');
    const { queue, bindings } = subscribeOptions;
    const maxAttempts = Math.max(1, subscribeOptions.maxAttempts ?? BUS_DEFAULTS.maxAttempts);
    const retryBaseMs = subscribeOptions.retryBaseMs ?? BUS_DEFAULTS.retryBaseMs;
    const prefetch = Math.max(1, subscribeOptions.prefetch ?? BUS_DEFAULTS.prefetch);
    const retryQueue = `${queue}.retry`;
    const deadQueue = `${queue}.dlq`;
    const log = logger.child({ queue });

    const sideQueues = [
      {
        queue: retryQueue,
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
      },
      { queue: deadQueue, durable: true },
    ];
    // Declared now so deadLetters() works from the start, and again by the republisher on every
    // reconnect, so a retry is never published to a queue that does not exist (and dropped).
    for (const declaration of sideQueues) await withTimeout(connection.queueDeclare(declaration), publishTimeoutMs, 'queue declare');
    const republisher: Publisher = connection.createPublisher({ confirm: true, queues: sideQueues });

    // The prefetch bounds the handlers running at once, however many events a message carries.
    const slot = createSlots(prefetch);

    /** One event's handling; a failure republishes that event alone, for its next attempt or the dead letters. */
    const handleOne = async (event: EventEnvelope, attempt: number): Promise<void> => {
      try {
        await slot(() => handler(event, { attempt }));
        return;
      } catch (err) {
        log.warn({ err, eventId: event.id, type: event.type, attempt }, 'event handler failed');
        if (attempt >= maxAttempts) {
          log.error({ eventId: event.id, type: event.type, attempts: attempt }, 'event dead-lettered');
          await republisher.send({ ...eventProperties(event), exchange: '', routingKey: deadQueue, headers: { [ATTEMPT_HEADER]: attempt } }, encode(event));
        } else {
          await republisher.send(
            {
              ...eventProperties(event),
              exchange: '',
              routingKey: retryQueue,
              expiration: String(retryBaseMs * 2 ** (attempt - 1)),
              headers: { [ATTEMPT_HEADER]: attempt + 1 },
            },
            encode(event),
          );
        }
      }
    };

    const onMessage = async (message: AsyncMessage): Promise<void> => {
      const attempt = attemptOf(message);
      // One envelope, or a batch's array of them (see BATCH_HEADER): parsed once.
      const value = parseBody(message.body);
      const items: unknown[] = Array.isArray(value) ? value : [value];
      const events = items.map(asEnvelope);
      if (!Array.isArray(value) && !events[0]) {
        // Not an envelope: retrying cannot help. Park the raw body for a human to look at.
        log.error({ messageId: message.messageId }, 'undecodable message moved to the dead-letter queue');
        await republisher.send({ exchange: '', routingKey: deadQueue, durable: true }, message.body);
        return;
      }
      // A batch's events are handled side by side (in order when the prefetch is 1), as
      // separate messages would be; the batch is acked when every one is handled or republished.
      await Promise.all(
        events.map(async (event, i) => {
          if (event) return handleOne(event, attempt);
          log.error({ messageId: message.messageId, index: i }, 'undecodable event of a batch moved to the dead-letter queue');
          await republisher.send({ exchange: '', routingKey: deadQueue, durable: true }, Buffer.from(JSON.stringify(items[i]) ?? 'null', 'utf8'));
        }),
      );
      // Returning acks the original; if a republish above threw, the client nacks with requeue
      // instead and the broker redelivers the same attempt (handlers are idempotent: inbox).
    };

    const consumer = connection.createConsumer(
      {
        queue,
        queueOptions: { durable: true },
        qos: { prefetchCount: prefetch },
        // Run as many handlers as the broker lets us hold, no client-side buffering.
        concurrency: prefetch,
        requeue: true,
        exchanges: [exchangeDeclaration],
        queueBindings: bindings.map((routingKey) => ({ exchange, queue, routingKey })),
      },
      onMessage,
    );
    consumer.on('error', (err: unknown) => log.warn({ err }, 'consumer error'));

    const subscription = {
      async close() {
        subscriptions.delete(subscription);
        await consumer.close().catch((err: unknown) => log.warn({ err }, 'closing consumer failed'));
        await republisher.close().catch((err: unknown) => log.warn({ err }, 'closing republisher failed'));
      },
    };
    subscriptions.add(subscription);

    try {
      // Resolve once the queue is declared, bound and consumed: an event published after
      // subscribe() returns is then sure to reach this queue.
      await withTimeout(new Promise<void>((resolve) => consumer.once('ready', () => resolve())), subscribeTimeoutMs, `subscribe to ${queue}`);
    } catch (err) {
      consumer.removeAllListeners('ready');
      await subscription.close();
      throw err;
    }
    await unbindRetired(queue, subscribeOptions.retiredBindings ?? [], log);
    return subscription;
  }

  /** The queue exists by now; unbinding a key it no longer has is a no-op for the broker. */
  async function unbindRetired(queue: string, keys: readonly string[], log: Logger): Promise<void> {
    for (const routingKey of keys) {
      try {
        await withTimeout(connection.queueUnbind({ queue, exchange, routingKey }), publishTimeoutMs, 'queue unbind');
      } catch (err) {
        log.warn({ err, routingKey }, 'removing a retired binding failed; its events still arrive');
      }
    }
  }

  return {
    async publish(events) {
      if (closed) throw new Error('bus is closed');
      if (events.length === 0) return;
      // Sent back to back on one confirm channel: the broker keeps their order, and we wait for
      // every confirmation, not just the last.
      const sends = batchMessages(exchange, events).map(({ envelope, body }) => publisher.send(envelope, body));
      await withTimeout(Promise.all(sends), publishTimeoutMs, `publish of ${events.length} event(s)`);
    },

    subscribe,

    async deadLetters(queue) {
      const channel = await withTimeout(connection.acquire(), publishTimeoutMs, 'channel acquisition');
      try {
        const events: EventEnvelope[] = [];
        for (;;) {
          // Got without ack: closing the channel below puts every one back where it was.
          const message = await channel.basicGet({ queue: `${queue}.dlq` });
          if (!message) break;
          const event = decode(message.body);
          if (event) events.push(event);
        }
        return events;
      } catch (err) {
        if (errorCode(err) === 'NOT_FOUND') return [];
        throw err;
      } finally {
        if (channel.active) await channel.close();
      }
    },

    async ping() {
      return connection.ready;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await publisher.close().catch((err: unknown) => logger.warn({ err }, 'closing publisher failed'));
      // close() waits for every channel; if one is stuck on a dead socket, cut it.
      await withTimeout(connection.close(), 5000, 'connection close').catch(() => connection.unsafeDestroy());
    },
  };
}

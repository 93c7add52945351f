import { parseEvent, type AnyEvent, type EventType } from '@parley/contracts';
import type { Logger } from '../logger.ts';
import type { Bus, EventEnvelope, Queryable, SubscribeOptions } from '../ports.ts';
import { claimEvent } from './inbox.ts';
import { topicMatches } from './memory-bus.ts';

/**
 * How a service consumes events: one queue, defined once (`src/events/queues.ts`), and one
 * handler that gets only valid events of the types the queue is bound to.
 *
 *   export const USERS_QUEUE = defineQueue({ queue: 'messages.users', bindings: ['user.updated'] });
 *   subscribe(bus, USERS_QUEUE, (event) => syncUserProfile(ctx, event), { logger });
 *
 * - Every event is validated with the contracts' parser (or the queue's own, for a service's own
 *   events). One that breaks its contract, or is of a type the queue is no longer bound to, is
 *   logged and acknowledged: redelivering it cannot make it valid, so it never loops.
 * - The handler acknowledges by resolving; a throw retries with back-off, then dead-letters
 *   (the bus's maxAttempts and retryBaseMs, set on the queue).
 * - Delivery is at least once. A handler whose effect must happen once writes it in a
 *   transaction that starts with `delivery.firstTime(tx)` (the inbox).
 */

type FamilyOf<T extends string> = T extends `${infer Family}.${string}` ? Family : never;

/** A routing key a contract queue binds: an event type, or a whole family (`group.*`). */
export type Binding = EventType | `${FamilyOf<EventType>}.*`;

/** The contract events a binding routes to a queue. */
export type EventsBoundBy<B extends string> = B extends `${infer Family}.*` ? Extract<AnyEvent, { type: `${Family}.${string}` }> : Extract<AnyEvent, { type: B }>;

/** A queue and its bindings, retries and prefetch, with the parser its events go through. */
export interface Queue<E extends EventEnvelope = EventEnvelope> extends SubscribeOptions {
  /** Validates an envelope; throws (InvalidEventError) for one that breaks its contract. */
  parse: (envelope: EventEnvelope) => E;
}

type QueueOptions<B extends string> = Omit<SubscribeOptions, 'bindings'> & { bindings: readonly B[] };

/** A queue of contract events: its handler gets exactly the event types its bindings route. */
export function defineQueue<const B extends Binding>(options: QueueOptions<B>): Queue<EventsBoundBy<B>>;
/** A queue of a service's own events, validated by their own parser (contracts' eventParser). */
export function defineQueue<E extends EventEnvelope>(options: QueueOptions<string> & { parse: (envelope: unknown) => E }): Queue<E>;
export function defineQueue(options: QueueOptions<string> & { parse?: (envelope: unknown) => EventEnvelope }): Queue {
  return { parse: parseEvent, ...options };
}

export interface Delivery {
  /** 1 on the first delivery, then 2, 3, ... on retries. */
  attempt: number;
  /**
   * The inbox, in the caller's transaction: true the first time this queue applies the event,
   * false for a duplicate (a redelivery, a second publish), which should then write nothing.
   * The mark commits or rolls back with the effect (inbox.ts, claimEvent).
   */
  firstTime(tx: Queryable): Promise<boolean>;
}

export type EventHandlerOf<E> = (event: E, delivery: Delivery) => Promise<void>;

/** Consumes a queue: validation, logging of what is dropped and the inbox as described above. */
export function subscribe<E extends EventEnvelope>(
  bus: Bus,
  queue: Queue<E>,
  handle: EventHandlerOf<E>,
  deps: { logger: Logger },
): Promise<{ close(): Promise<void> }> {
  const { parse, ...options } = queue;
  const logger = deps.logger.child({ queue: queue.queue });
  const bound = (type: string): boolean => queue.bindings.some((binding) => topicMatches(binding, type));
  return bus.subscribe(options, async (envelope, { attempt }) => {
    let event: E;
    try {
      event = parse(envelope);
    } catch (err) {
      logger.error({ err, eventId: envelope.id, type: envelope.type }, 'dropping an event that breaks its contract');
      return;
    }
    if (!bound(event.type)) {
      // A binding left on the broker by another version of the consumer: not this handler's to take.
      logger.warn({ eventId: event.id, type: event.type }, 'dropping an event of a type this queue does not bind');
      return;
    }
    await handle(event, { attempt, firstTime: (tx) => claimEvent(tx, queue.queue, event.id) });
  });
}

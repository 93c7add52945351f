import type { EventData, EventType } from '@parley/contracts';
import type { Db, EventEnvelope, Queryable } from '../ports.ts';
import { enqueueEvents, makeEvent, type NotifyOptions } from './outbox.ts';

/**
 * How a service emits events: its state change and its events in one transaction (the
 * transactional outbox), the relay woken once that has committed. Each service names its
 * producer once (`src/domain/events.ts`: `export const events = eventProducer('groups')`) and
 * every use case writes through it:
 *
 *   const group = await events.transaction(ctx, async (tx, emit) => {
 *     const row = await insertGroup(tx, …);
 *     emit('group.created', { groupId: row.id, … });
 *     return row;
 *   });
 *
 * `emit` is typed by the contracts: an event type and its data, nothing else compiles.
 */

/** The data of each event type a producer emits: the contracts' events (and a service's own ones, if it has any). */
export type ContractEvents = { [T in EventType]: EventData<T> };

/** An event's data as emit takes it: read-only all the way down (it is only serialized), so a caller's readonly arrays go as they are. */
export type EmittedData<T> = T extends readonly (infer Item)[]
  ? readonly EmittedData<Item>[]
  : T extends object
    ? { readonly [K in keyof T]: EmittedData<T[K]> }
    : T;

/** Adds events of one type (one per data) to the transaction: written before it commits, published after. */
export type Emit<Events = ContractEvents> = <T extends keyof Events & string>(type: T, ...data: EmittedData<Events[T]>[]) => void;

/** What wakes the outbox relay: the service's OutboxRelay, as its context holds it (`ctx.outbox`). */
export interface RelayWaker {
  notify(options?: NotifyOptions): void;
}

export interface EventProducer<Events = ContractEvents> {
  /** The envelopes' `producer`: the service's name. */
  readonly name: string;
  /**
   * Runs `work` in one transaction of `ctx.db`, with an `emit` bound to it. The events are
   * written into the outbox in that transaction, in one INSERT after `work` resolves; once it
   * has committed the relay is woken (a timer, no I/O: as cheap as the notify() it replaces),
   * and only when something was emitted. A throw rolls back state and events alike and wakes
   * nothing.
   */
  transaction<R>(ctx: { db: Db; outbox: RelayWaker }, work: (tx: Queryable, emit: Emit<Events>) => Promise<R>): Promise<R>;
  /**
   * For a statement that writes its own events through the kit's enqueue_event() (messages'
   * send_message(): the whole send in one statement, so no transaction to wrap): `event` makes
   * the envelope to hand to it, and `statement` runs it (it commits by itself) and wakes the relay
   * when `wrote(result)` says events went in (with `wake`: `{ deferrable: true }` for events
   * that reach clients another way, see OutboxRelayOptions.deferrableLingerMs).
   */
  event<T extends keyof Events & string>(type: T, data: EmittedData<Events[T]>): EventEnvelope<EmittedData<Events[T]>>;
  statement<R>(ctx: { outbox: RelayWaker }, run: () => Promise<R>, wrote: (result: R) => boolean, wake?: NotifyOptions): Promise<R>;
}

/** The events of one producer (one per service). `Events` adds a service's own event types to the contracts'. */
export function eventProducer<Events = ContractEvents>(name: string): EventProducer<Events> {
  return {
    name,
    async transaction(ctx, work) {
      let emitted: EventEnvelope[] | undefined = [];
      const result = await ctx.db.transaction(async (tx) => {
        const emit: Emit<Events> = (type, ...data) => {
          if (!emitted) throw new Error(`${type} emitted after its transaction's work had finished`);
          for (const item of data) emitted.push(makeEvent(type, item, name));
        };
        const value = await work(tx, emit);
        const events = emitted ?? [];
        emitted = undefined;
        if (events.length > 0) await enqueueEvents(tx, events);
        return { value, wrote: events.length > 0 };
      });
      if (result.wrote) ctx.outbox.notify();
      return result.value;
    },
    event: (type, data) => makeEvent(type, data, name),
    async statement(ctx, run, wrote, wake) {
      const result = await run();
      if (wrote(result)) ctx.outbox.notify(wake);
      return result;
    },
  };
}

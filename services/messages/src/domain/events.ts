import type { EventData, EventType } from '@parley/contracts';
import { enqueueEvents, makeEvent, type Queryable } from '@parley/kit';

export const PRODUCER = 'messages';

/** Writes events into the outbox inside the caller's transaction. */
export async function emit<T extends EventType>(tx: Queryable, type: T, ...data: EventData<T>[]): Promise<void> {
  await enqueueEvents(
    tx,
    data.map((d) => makeEvent(type, d, PRODUCER)),
  );
}

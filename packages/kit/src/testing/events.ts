import type { Bus, EventEnvelope } from '../ports.ts';
import { uniqueName } from './infra.ts';

export interface EventRecorder {
  /** Every event seen so far, in arrival order. */
  events: EventEnvelope[];
  /** Events whose type matches and whose data passes the filter. */
  of(type: string, where?: (data: any) => boolean): EventEnvelope<any>[];
  close(): Promise<void>;
}

/** Records every event of the bindings (`message.*`) published on the bus, on a queue of its own. */
export async function recordEvents(bus: Bus, bindings: string[]): Promise<EventRecorder> {
  const events: EventEnvelope[] = [];
  const subscription = await bus.subscribe({ queue: uniqueName('test.recorder'), bindings }, async (event) => {
    events.push(event);
  });
  return {
    events,
    of: (type, where = () => true) => events.filter((e) => e.type === type && where(e.data)) as EventEnvelope<any>[],
    close: () => subscription.close(),
  };
}

import { eventProducer } from '@parley/kit';

/** accounts' events: `events.transaction(ctx, async (tx, emit) => …)` writes them with the state (kit bus/events.ts). */
export const events = eventProducer('accounts');

import { InvalidEventError, parseEvent, type AnyEvent } from '@parley/contracts';
import type { EventEnvelope, Logger } from '@parley/kit';

/**
 * The event, validated; undefined for one that does not fit its contract, which is logged and
 * acknowledged: redelivering it cannot make it valid.
 */
export function parseOrLog(envelope: EventEnvelope, logger: Logger, queue: string): AnyEvent | undefined {
  try {
    return parseEvent(envelope);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    logger.error({ err: error, queue, eventId: envelope.id, type: envelope.type }, 'dropping an event that breaks its contract');
    return undefined;
  }
}

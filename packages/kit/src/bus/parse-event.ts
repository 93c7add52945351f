import { InvalidEventError, parseEvent, type AnyEvent } from '@parley/contracts';
import type { Logger } from '../logger.ts';
import type { EventEnvelope } from '../ports.ts';

/**
 * The event, validated against its contract; undefined for one that does not fit, which is
 * logged and should be acknowledged: redelivering it cannot make it valid.
 */
export function parseEventOrLog(envelope: EventEnvelope, logger: Logger, queue: string): AnyEvent | undefined {
  try {
    return parseEvent(envelope);
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    logger.error({ err: error, queue, eventId: envelope.id, type: envelope.type }, 'dropping an event that breaks its contract');
    return undefined;
  }
}

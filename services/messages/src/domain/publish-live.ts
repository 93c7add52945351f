import { encodeLiveDelivery, liveMessagesChannel, type ServerFrame } from '@parley/contracts';
import { currentRequestId, type Logger, type PubSub } from '@parley/kit';
import type { MessageView } from '../presenters/message.presenter.ts';

/** After a failed publish, how long further failures stay quiet (one log line per outage, not per send). */
const QUIET_AFTER_FAILURE_MS = 10_000;

export type LivePublisher = (message: MessageView, mentions: readonly string[], recipients: readonly string[]) => void;

/**
 * The live path of a new message: right after the commit, the `message.created` frame goes to
 * every notifications instance in one pub/sub publish, with the members who get it. It does not
 * wait for the outbox relay or the broker (those still carry the event to the durable consumers).
 *
 * Fire and forget, and never a reason to fail the send: the message is stored, and a client that
 * misses the frame recovers it by `seq` (notifications tells every socket to resync when its
 * subscription was interrupted). Issued before the send answers, so one sender's messages are
 * published in the order they were accepted. `onPublished` hears of each frame Redis accepted
 * (live-marks.ts).
 */
export function createLivePublisher(pubsub: PubSub, logger: Logger, onPublished?: (message: MessageView) => void): LivePublisher {
  let quietUntil = 0;
  let failedSinceLog = 0;
  const failed = (err: unknown): void => {
    failedSinceLog++;
    if (Date.now() < quietUntil) return;
    quietUntil = Date.now() + QUIET_AFTER_FAILURE_MS;
    logger.warn({ err, failed: failedSinceLog }, 'live publish of new messages failed; clients catch up by seq');
    failedSinceLog = 0;
  };
  return (message, mentions, recipients) => {
    const frame: ServerFrame = { type: 'message.created', data: { message, mentions: [...mentions] } };
    const payload = encodeLiveDelivery({
      recipients: [...new Set(recipients)],
      frame: JSON.stringify(frame),
      // Published right after the commit: the delivery latency metric counts from here.
      committedAt: Date.now(),
      requestId: currentRequestId(),
    });
    try {
      pubsub.publish(liveMessagesChannel, payload).then(() => onPublished?.(message), failed);
    } catch (err) {
      failed(err);
    }
  };
}

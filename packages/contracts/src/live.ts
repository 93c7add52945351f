/*
 * The live path of new messages (docs/realtime.md, docs/decisions.md "The live message path"):
 * after a send commits, the messages service publishes the client frame once, with its
 * recipients, on one pub/sub channel; every notifications instance is subscribed and writes the
 * frame to its own sockets of those recipients. The outbox and the broker still carry the event
 * to the durable consumers (stored notifications, push); clients recover a missed frame by `seq`.
 */

/** The one channel of live message frames (every notifications instance subscribes to it). */
export const liveMessagesChannel = 'live:messages';

export interface LiveDelivery {
  /** The users whose sockets get the frame. */
  recipients: string[];
  /** The serialised client frame, written to each socket as it is. */
  frame: string;
}

/**
 * One line of comma-separated recipient ids, a newline, then the frame: the subscriber reads
 * the recipients without parsing the frame, and writes the frame's bytes as they came. Ids are
 * UUIDs, so neither a comma nor a newline can occur in them.
 */
export function encodeLiveDelivery(delivery: LiveDelivery): string {
  return `${delivery.recipients.join(',')}\n${delivery.frame}`;
}

/** Undefined for a message that is not a live delivery (nothing to do with it). */
export function decodeLiveDelivery(message: string): LiveDelivery | undefined {
  const newline = message.indexOf('\n');
  if (newline < 0) return undefined;
  const frame = message.slice(newline + 1);
  if (!frame.startsWith('{')) return undefined;
  const head = message.slice(0, newline);
  return { recipients: head === '' ? [] : head.split(','), frame };
}

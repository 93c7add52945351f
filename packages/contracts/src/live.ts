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
  /** When the message was committed (ms since the epoch): delivery latency is measured from it. */
  committedAt?: number;
  /** The send's request id, so one grep follows a message from its HTTP request to its frames. */
  requestId?: string;
}

/**
 * A header line, a newline, then the frame: the subscriber reads the header without parsing the
 * frame, and writes the frame's bytes as they came. The header is the comma-separated recipient
 * ids, then optionally a space, the commit time, a space and the request id. Ids are UUIDs and
 * request ids match [\w.:-]+, so neither a comma, a space nor a newline can occur in them.
 */
export function encodeLiveDelivery(delivery: LiveDelivery): string {
  const trace = delivery.committedAt === undefined ? '' : ` ${delivery.committedAt} ${delivery.requestId ?? '-'}`;
  return `${delivery.recipients.join(',')}${trace}\n${delivery.frame}`;
}

/** Undefined for a message that is not a live delivery (nothing to do with it). */
export function decodeLiveDelivery(message: string): LiveDelivery | undefined {
  const newline = message.indexOf('\n');
  if (newline < 0) return undefined;
  const frame = message.slice(newline + 1);
  if (!frame.startsWith('{')) return undefined;
  const [ids = '', committedAt, requestId] = message.slice(0, newline).split(' ');
  const delivery: LiveDelivery = { recipients: ids === '' ? [] : ids.split(','), frame };
  const committed = Number(committedAt);
  if (committedAt !== undefined && Number.isFinite(committed)) delivery.committedAt = committed;
  if (requestId !== undefined && requestId !== '-') delivery.requestId = requestId;
  return delivery;
}

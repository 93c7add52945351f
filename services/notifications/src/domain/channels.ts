import type { PubSub } from '@parley/kit';

/**
 * Redis pub/sub channels. Every instance subscribes to `user:<id>` for each user it holds a
 * socket of. A message on it is either a frame to write to every socket of the user as it is
 * (it starts with `{`), the same with its trace in front (`^`, tracedFrame), or a control line
 * for the instances themselves (it starts with `!`).
 */
export const userChannel = (userId: string): string => `user:${userId}`;

/**
 * A frame with its trace, `^<committed ms> <request id>\n<frame>`: when its event was committed
 * and the request that caused it. The instance writing it to sockets measures the delivery
 * latency and logs the request id, then writes the frame alone.
 */
export const TRACE = '^';

export function tracedFrame(frame: string, event: { occurredAt: string; requestId?: string | undefined }): string {
  return `${TRACE}${Date.parse(event.occurredAt)} ${event.requestId ?? ''}\n${frame}`;
}

/** The parts of a traced frame, or undefined for a malformed one (dropped). */
export function untrace(message: string): { committedAt: number; requestId: string | undefined; frame: string } | undefined {
  const space = message.indexOf(' ');
  const newline = message.indexOf('\n', space);
  if (space < 0 || newline < 0) return undefined;
  const committedAt = Number(message.slice(TRACE.length, space));
  return { committedAt, requestId: message.slice(space + 1, newline) || undefined, frame: message.slice(newline + 1) };
}

/** Control line: close the sockets of this session (logout, revocation). */
export const revokeSessionControl = (sessionId: string): string => `!revoke:${sessionId}`;

/** Publishes at most this many messages at once, so a huge audience does not flood the connection's queue. */
const PUBLISH_CHUNK = 500;

/**
 * Publishes one already serialised frame to each user's channel: the frame is built once per
 * event, whatever the number of recipients.
 */
export async function publishToUsers(pubsub: PubSub, userIds: Iterable<string>, frame: string): Promise<void> {
  const unique = [...new Set(userIds)];
  for (let start = 0; start < unique.length; start += PUBLISH_CHUNK) {
    await Promise.all(unique.slice(start, start + PUBLISH_CHUNK).map((userId) => pubsub.publish(userChannel(userId), frame)));
  }
}

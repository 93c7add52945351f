import { parseEventOrLog, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { endSessionSockets } from '../domain/end-session-sockets.ts';

export const SESSIONS_QUEUE = 'notifications.sessions';

/**
 * session.revoked closes that session's sockets on every instance. A queue of its own, so a
 * backlog of chat events never delays a logout.
 */
export function subscribeSessions(bus: Bus, ctx: Pick<NotificationsContext, 'pubsub' | 'logger'>) {
  // 10 attempts from 200 ms doubling: the control line waits out a Redis outage of about a minute
  // and a half instead of going to the dead letters (the heartbeat's session re-check is the backstop).
  return bus.subscribe({ queue: SESSIONS_QUEUE, bindings: ['session.revoked'], retryBaseMs: 200, maxAttempts: 10 }, async (envelope) => {
    const event = parseEventOrLog(envelope, ctx.logger, SESSIONS_QUEUE);
    if (event?.type === 'session.revoked') await endSessionSockets(ctx, event.data.userId, event.data.sessionId);
  });
}

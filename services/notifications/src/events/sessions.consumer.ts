import { subscribe, type Bus } from '@parley/kit';
import type { NotificationsContext } from '../domain/context.ts';
import { endSessionSockets } from '../domain/end-session-sockets.ts';
import { SESSIONS_QUEUE } from './queues.ts';

/** session.revoked closes that session's sockets on every instance. */
export function subscribeSessions(bus: Bus, ctx: Pick<NotificationsContext, 'pubsub' | 'logger'>) {
  return subscribe(bus, SESSIONS_QUEUE, (event) => endSessionSockets(ctx, event.data.userId, event.data.sessionId), ctx);
}

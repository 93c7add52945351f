import type { PubSub } from '@parley/kit';
import { revokeSessionControl, userChannel } from './channels.ts';

/**
 * A session ended (logout, revocation, password change): every instance holding a socket of
 * that session closes it with 4001. The control line goes through the user's channel, which
 * exactly the instances holding the user's sockets listen to.
 */
export async function endSessionSockets(ctx: { pubsub: PubSub }, userId: string, sessionId: string): Promise<void> {
  await ctx.pubsub.publish(userChannel(userId), revokeSessionControl(sessionId));
}

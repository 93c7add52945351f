import { notFound, unavailable } from '@parley/kit';
import { presentFrame } from '../presenters/frame.presenter.ts';
import { publishToUsers } from './channels.ts';
import type { NotificationsContext } from './context.ts';

/** Above this many other members, typing goes only to those who are connected. */
const FILTER_ONLINE_ABOVE = 50;
/** Typing has no fallback without Redis: the client is told it is paused and when to try again. */
const TYPING_RETRY_AFTER_SECONDS = 5;
const typingPaused = () => unavailable('Typing indicators are paused while real-time delivery is unavailable.', TYPING_RETRY_AFTER_SECONDS);

/**
 * `typing` from a member goes to the conversation's other members, through pub/sub only
 * (nothing stored). A non-member is told the conversation does not exist.
 */
export async function relayTyping(ctx: Pick<NotificationsContext, 'directory' | 'pubsub' | 'presence'>, userId: string, conversationId: string): Promise<void> {
  const conversation = await ctx.directory.find(conversationId);
  if (!conversation?.memberIds.includes(userId)) throw notFound('conversation');
  if (ctx.pubsub.degraded()) throw typingPaused();
  let others = conversation.memberIds.filter((id) => id !== userId);
  if (others.length > FILTER_ONLINE_ABOVE) others = [...(await ctx.presence.onlineUsers(others))];
  try {
    await publishToUsers(ctx.pubsub, others, presentFrame({ type: 'typing', data: { conversationId, userId } }));
  } catch {
    throw typingPaused();
  }
}

import { notFound } from '@parley/kit';
import { presentFrame } from '../presenters/frame.presenter.ts';
import { publishToUsers } from './channels.ts';
import type { NotificationsContext } from './context.ts';

/** Above this many other members, typing goes only to those who are connected. */
const FILTER_ONLINE_ABOVE = 50;

/**
 * `typing` from a member goes to the conversation's other members, through pub/sub only
 * (nothing stored). A non-member is told the conversation does not exist.
 */
export async function relayTyping(
  ctx: Pick<NotificationsContext, 'directory' | 'pubsub' | 'presence'>,
  userId: string,
  conversationId: string,
): Promise<void> {
  const conversation = await ctx.directory.find(conversationId);
  if (!conversation?.memberIds.includes(userId)) throw notFound('conversation');
  let others = conversation.memberIds.filter((id) => id !== userId);
  if (others.length > FILTER_ONLINE_ABOVE) others = [...(await ctx.presence.onlineUsers(others))];
  await publishToUsers(ctx.pubsub, others, presentFrame({ type: 'typing', data: { conversationId, userId } }));
}

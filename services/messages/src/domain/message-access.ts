import { isUuid, isAppError, notFound } from '@parley/kit';
import { findMessageConversationId } from '../db/message.repository.ts';
import type { MessagesContext } from './context.ts';
import { assertMember, type Membership } from './membership.ts';

/**
 * The caller's access to a message's conversation. Unknown and malformed ids and messages of
 * conversations the caller is not in all answer notFound('message'), alike.
 */
export async function assertMessageAccess(
  ctx: Pick<MessagesContext, 'db' | 'cache' | 'groupsCache' | 'logger' | 'outbox'>,
  messageId: string,
  userId: string,
): Promise<Membership> {
  if (!isUuid(messageId)) throw notFound('message');
  const conversationId = await findMessageConversationId(ctx.db, messageId);
  if (!conversationId) throw notFound('message');
  try {
    return await assertMember(ctx, conversationId, userId);
  } catch (error) {
    if (isAppError(error) && error.httpStatus === 404) throw notFound('message');
    throw error;
  }
}

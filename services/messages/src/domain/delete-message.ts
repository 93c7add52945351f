import { forbidden, notFound } from '@parley/kit';
import { findMessage, lockMessage, tombstoneMessage } from '../db/message.repository.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { conversationMemberIds, type Membership } from './membership.ts';
import { assertMessageAccess } from './message-access.ts';
import { invalidateRecent } from './recent-cache.ts';

/**
 * Deletes a message, leaving a tombstone (same id and seq; body '', attachments and reactions
 * hidden). The author may, and in a group its admins and owner. Deleting a tombstone again is
 * a no-op.
 */
export async function deleteMessage(ctx: MessagesContext, userId: string, messageId: string): Promise<void> {
  let access = await assertMessageAccess(ctx, messageId, userId);
  if (!isModerator(access) && access.conversation.type === 'group') {
    // About to refuse someone else's message on a role that may come from the cache: ask groups.
    // (Outside the transaction: it must never wait on another service.)
    const message = await findMessage(ctx.db, access, messageId);
    if (message && message.sender_id !== userId) {
      const role = await ctx.groupsCache.currentRole(access.conversation.id, userId);
      if (!role) throw notFound('message');
      access = { ...access, role };
    }
  }
  const recipients = await conversationMemberIds(ctx, access.conversation);
  const deleted = await events.transaction(ctx, async (tx, emit) => {
    const current = await lockMessage(tx, access, messageId);
    if (!current) throw notFound('message');
    if (current.sender_id !== userId && !isModerator(access)) throw forbidden('Only the author or a group admin can delete a message.');
    if (current.deleted_at) return false;
    const row = await tombstoneMessage(tx, access, messageId);
    emit('message.deleted', {
      conversationId: row.conversation_id,
      messageId: row.id,
      seq: row.seq,
      deletedBy: userId,
      deletedAt: new Date(row.deleted_at ?? Date.now()).toISOString(),
      recipients,
    });
    return true;
  });
  if (deleted) {
    await invalidateRecent(ctx.cache, recipients);
  }
}

const isModerator = (access: Membership): boolean => access.role === 'owner' || access.role === 'admin';

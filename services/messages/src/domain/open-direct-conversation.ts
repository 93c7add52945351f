import { badRequest, newId, notFound } from '@parley/kit';
import { directKeyOf, findDirectConversation, insertDirectConversation, listConversationSummaries } from '../db/conversation.repository.ts';
import { presentConversation } from '../presenters/conversation.presenter.ts';
import { loadConversationEntries, type ConversationEntry } from './conversation-entries.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { invalidateRecent } from './recent-cache.ts';
import { getProfiles } from './user-profiles.ts';

/**
 * The direct conversation of the caller and another user, created on first use: exactly one per
 * pair, also when both open it at the same moment (unique direct_key + ON CONFLICT DO NOTHING:
 * the loser of the race reads the winner's row). `created` tells 201 from 200.
 */
export async function openDirectConversation(ctx: MessagesContext, userId: string, otherId: string): Promise<{ conversation: ConversationEntry; created: boolean }> {
  const otherUserId = otherId.toLowerCase();
  if (otherUserId === userId.toLowerCase()) {
    throw badRequest('A direct conversation needs another user.', { 'body.userId': ['is yourself'] });
  }
  const directKey = directKeyOf(userId, otherUserId);
  let row = await findDirectConversation(ctx.db, directKey);
  let created = false;
  if (!row) {
    const other = (await getProfiles(ctx, [otherUserId])).get(otherUserId);
    if (!other) throw notFound('user');
    const memberIds = [userId, otherUserId];
    ({ row, created } = await events.transaction(ctx, async (tx, emit) => {
      const inserted = await insertDirectConversation(tx, { id: newId(), directKey, memberIds });
      if (inserted) {
        emit('conversation.created', { conversation: presentConversation(inserted), memberIds });
        return { row: inserted, created: true };
      }
      const winner = await findDirectConversation(tx, directKey);
      if (!winner) throw new Error(`direct conversation ${directKey} neither inserted nor found`);
      return { row: winner, created: false };
    }));
    if (created) {
      await invalidateRecent(ctx.cache, memberIds);
    }
  }
  const [summary] = await listConversationSummaries(ctx.db, userId, [row.id], { limit: 1 });
  if (!summary) throw notFound('conversation');
  const [conversation] = await loadConversationEntries(ctx, userId, [summary]);
  if (!conversation) throw notFound('conversation');
  return { conversation, created };
}

import type { AnyEvent } from '@parley/contracts';
import { idBeside, newId, type Delivery } from '@parley/kit';
import { deleteNotificationsOfMessage, insertNotifications, type NewNotification } from '../db/notification.repository.ts';
import { usersWhoMuted } from '../db/settings.repository.ts';
import { presentNotification } from '../presenters/notification.presenter.ts';
import type { NotificationsContext } from './context.ts';
import { events, NOTIFICATION_CREATED } from './events.ts';

const PREVIEW_CHARS = 140;

type Plan = { kind: 'store'; conversationId: string; items: NewNotification[] } | { kind: 'forget-message'; messageId: string } | { kind: 'nothing' };

/** The start of a body, cut on a character (not a UTF-16 unit) boundary. */
function previewOf(body: string): string {
  const chars = Array.from(body.trim());
  return chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…` : chars.join('');
}

/**
 * Stores the notifications an event causes, once per event (inbox: `delivery.firstTime`), in one
 * transaction with their `notification.created` events; the deliver consumer then sends frames
 * and pushes.
 * Direct messages notify the other member, mentions the mentioned members, a group addition
 * the added user; never the author, never members who muted the conversation.
 */
export async function recordNotifications(
  ctx: Pick<NotificationsContext, 'db' | 'directory' | 'outbox'>,
  event: AnyEvent,
  delivery: Pick<Delivery, 'firstTime'>,
): Promise<void> {
  const plan = await planFor(ctx, event);
  // Most group messages mention nobody: no transaction (nor inbox row) for nothing to store.
  if (plan.kind === 'nothing' || (plan.kind === 'store' && plan.items.length === 0)) return;
  await events.transaction(ctx, async (tx, emit) => {
    if (!(await delivery.firstTime(tx))) return;
    if (plan.kind === 'forget-message') {
      await deleteNotificationsOfMessage(tx, plan.messageId);
      return;
    }
    const muted = await usersWhoMuted(
      tx,
      plan.conversationId,
      plan.items.map((item) => item.userId),
    );
    const rows = await insertNotifications(
      tx,
      plan.items.filter((item) => !muted.has(item.userId)),
    );
    emit(NOTIFICATION_CREATED, ...rows.map((row) => ({ userId: row.user_id, notification: presentNotification(row) })));
  });
}

async function planFor(ctx: Pick<NotificationsContext, 'directory'>, event: AnyEvent): Promise<Plan> {
  const base = { sourceEventId: event.id };
  switch (event.type) {
    case 'message.created': {
      const { message, mentions, recipients } = event.data;
      if (message.deletedAt) return { kind: 'nothing' };
      // Most group messages mention nobody: nothing to store, and no need to ask for the members.
      if (mentions.length === 0 && (await ctx.directory.kindOf(message.conversationId)) === 'group') return { kind: 'nothing' };
      const conversation = await ctx.directory.membersOf(message.conversationId, recipients);
      const members = new Set(conversation.memberIds);
      const mentioned = new Set(mentions.filter((id) => members.has(id)));
      const targets = conversation.kind === 'direct' ? [...members] : [...mentioned];
      const common = {
        ...base,
        conversationId: message.conversationId,
        messageId: message.id,
        actorId: message.senderId,
        preview: previewOf(message.body),
      };
      const items = targets
        .filter((userId) => userId !== message.senderId)
        .map((userId): NewNotification => ({
          ...common,
          // Listed in the messages' order, however the events were delivered (retries, several consumers).
          id: idBeside(message.id, userId),
          userId,
          kind: mentioned.has(userId) ? 'mention' : 'direct_message',
        }));
      return { kind: 'store', conversationId: message.conversationId, items };
    }
    case 'message.deleted':
      return { kind: 'forget-message', messageId: event.data.messageId };
    case 'group.created': {
      const { groupId, ownerId, memberIds, name } = event.data;
      const items = memberIds
        .filter((userId) => userId !== ownerId)
        .map((userId): NewNotification => ({
          ...base,
          id: newId(),
          userId,
          kind: 'group_added',
          groupId,
          conversationId: groupId,
          actorId: ownerId,
          preview: previewOf(name),
        }));
      return { kind: 'store', conversationId: groupId, items };
    }
    case 'group.member_added': {
      const { groupId, userId, addedBy } = event.data;
      if (userId === addedBy) return { kind: 'nothing' };
      return {
        kind: 'store',
        conversationId: groupId,
        items: [{ ...base, id: newId(), userId, kind: 'group_added', groupId, conversationId: groupId, actorId: addedBy }],
      };
    }
    default:
      return { kind: 'nothing' };
  }
}

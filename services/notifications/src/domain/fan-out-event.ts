import type { AnyEvent } from '@parley/contracts';
import { presentEventFrame } from '../presenters/frame.presenter.ts';
import { publishToUsers, tracedFrame } from './channels.ts';
import type { NotificationsContext } from './context.ts';

type FanOutContext = Pick<NotificationsContext, 'directory' | 'pubsub' | 'presence'>;

/**
 * Relays a domain event to everyone who must hear it: resolves the recipients, serialises the
 * frame once and publishes it to each recipient's channel. Events about group membership also
 * keep the member cache right (invalidated before the recipients are read, so a removed member
 * is told of the removal and of nothing after it).
 */
export async function fanOutEvent(ctx: FanOutContext, event: AnyEvent): Promise<void> {
  const recipients = await recipientsOf(ctx, event);
  if (recipients.length === 0) return;
  const frame = presentEventFrame(event);
  if (frame) await publishToUsers(ctx.pubsub, recipients, tracedFrame(frame, event));
}

/** The conversation or group an event is about: events about one key are relayed in order. */
export function orderingKeyOf(event: AnyEvent): string | undefined {
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      return event.data.message.conversationId;
    case 'message.deleted':
    case 'reaction.updated':
    case 'read.updated':
      return event.data.conversationId;
    case 'conversation.created':
      return event.data.conversation.id;
    case 'group.created':
    case 'group.updated':
    case 'group.deleted':
    case 'group.member_added':
    case 'group.member_removed':
    case 'group.member_role_changed':
      return event.data.groupId;
    case 'user.registered':
    case 'user.updated':
    case 'user.status_changed':
    case 'session.revoked':
    case 'presence.changed':
      return undefined;
    case 'contact.added':
    case 'contact.removed':
      return event.data.contactId;
  }
}

async function recipientsOf(ctx: FanOutContext, event: AnyEvent): Promise<string[]> {
  const { directory } = ctx;
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      return (await directory.membersOf(event.data.message.conversationId, event.data.recipients)).memberIds;
    case 'message.deleted':
    case 'reaction.updated':
      return (await directory.membersOf(event.data.conversationId, event.data.recipients)).memberIds;
    case 'read.updated':
      return (await directory.membersOf(event.data.conversationId)).memberIds;
    case 'conversation.created': {
      const { conversation, memberIds } = event.data;
      await directory.record(conversation.id, conversation.type, memberIds);
      return memberIds;
    }
    case 'group.created':
      await directory.record(event.data.groupId, 'group', []);
      await directory.invalidateGroup(event.data.groupId, event.data.memberIds);
      return event.data.memberIds;
    case 'group.updated':
      return (await directory.groupMembers(event.data.groupId)) ?? [];
    case 'group.deleted': {
      // The group is gone from the groups service: who belonged comes with the event, or from the cache.
      const members = event.data.memberIds ?? (await directory.cachedGroupMembers(event.data.groupId)) ?? [];
      await directory.invalidateGroup(event.data.groupId, members);
      return members;
    }
    case 'group.member_added':
    case 'group.member_removed':
    case 'group.member_role_changed': {
      const { groupId, userId } = event.data;
      await directory.invalidateGroup(groupId, [userId]);
      const members = (await directory.groupMembers(groupId)) ?? [];
      // The member concerned hears it too, removed or not.
      return [...members, userId];
    }
    case 'user.status_changed':
      await ctx.presence.statusChanged(event.data.userId, event.data.status, event.data.text);
      return [];
    case 'contact.added':
    case 'contact.removed':
      await ctx.presence.contactChanged(event.data.userId, event.data.contactId, event.type === 'contact.added');
      return [];
    case 'user.registered':
    case 'user.updated':
    case 'session.revoked':
    case 'presence.changed': // this service's own record: its `presence` frames went out when it was written
      return [];
  }
}

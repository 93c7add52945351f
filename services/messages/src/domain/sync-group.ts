import type { AnyEvent } from '@parley/contracts';
import type { Delivery } from '@parley/kit';
import { findConversation, insertGroupConversation, markConversationDeleted, setGroupTitle } from '../db/conversation.repository.ts';
import { presentConversation } from '../presenters/conversation.presenter.ts';
import type { MessagesContext } from './context.ts';
import { events } from './events.ts';
import { groupMemberLists, groupMembers } from './membership.ts';
import { forgetAllRecent, invalidateRecent } from './recent-cache.ts';

export type GroupEvent = Extract<
  AnyEvent,
  { type: 'group.created' | 'group.updated' | 'group.deleted' | 'group.member_added' | 'group.member_removed' | 'group.member_role_changed' }
>;

type SyncDeps = Pick<MessagesContext, 'db' | 'cache' | 'groupsCache' | 'logger' | 'outbox'>;

/**
 * Keeps messages in step with the groups service: conversation rows and titles (written once
 * per event, through the inbox: `delivery.firstTime`) and the membership caches (deleted on
 * every delivery, which is idempotent), so the next request after a membership change asks
 * groups afresh.
 */
export async function syncGroup(ctx: SyncDeps, event: GroupEvent, delivery: Pick<Delivery, 'firstTime'>): Promise<void> {
  switch (event.type) {
    case 'group.created': {
      const { groupId, name, memberIds } = event.data;
      const created = await events.transaction(ctx, async (tx, emit) => {
        if (!(await delivery.firstTime(tx))) return false;
        const inserted = await insertGroupConversation(tx, { id: groupId, title: name, titleAt: event.occurredAt });
        if (inserted) emit('conversation.created', { conversation: presentConversation(inserted), memberIds });
        else await setGroupTitle(tx, groupId, name, event.occurredAt, true);
        return true;
      });
      await ctx.groupsCache.forget(groupId, { userGroups: memberIds });
      await invalidateRecent(ctx.cache, memberIds);
      // Only for a group seen for the first time: a redelivery must not bring back members the
      // events after it removed (a fresh read would not, but it would cost a call for nothing).
      if (created)
        await ctx.groupsCache.warm(groupId, memberIds).catch((err: unknown) => ctx.logger.warn({ err, groupId }, "warming a new group's membership failed"));
      return;
    }
    case 'group.updated': {
      const { groupId, changes } = event.data;
      if (changes.name === undefined) return;
      const name = changes.name;
      const existed = await findConversation(ctx.db, groupId);
      const memberIds = (await groupMembers(ctx, groupId)).map((m) => m.userId);
      await events.transaction(ctx, async (tx, emit) => {
        if (!(await delivery.firstTime(tx))) return;
        // Arriving before group.created: create the row now, with the newer name.
        const inserted = existed ? undefined : await insertGroupConversation(tx, { id: groupId, title: name, titleAt: event.occurredAt });
        if (inserted) emit('conversation.created', { conversation: presentConversation(inserted), memberIds });
        else await setGroupTitle(tx, groupId, name, event.occurredAt);
      });
      await invalidateRecent(ctx.cache, memberIds);
      return;
    }
    case 'group.deleted': {
      const { groupId, memberIds: given } = event.data;
      const [cachedMembers] = await groupMemberLists.read(ctx.cache, [groupId]);
      const memberIds = given ?? cachedMembers!.value?.map((m) => m.userId);
      await ctx.db.transaction(async (tx) => {
        if (!(await delivery.firstTime(tx))) return;
        const inserted = await insertGroupConversation(tx, { id: groupId, deletedAt: event.occurredAt });
        if (!inserted) await markConversationDeleted(tx, groupId, event.occurredAt);
      });
      if (memberIds) {
        await ctx.groupsCache.forget(groupId, { memberships: memberIds, userGroups: memberIds });
        await invalidateRecent(ctx.cache, memberIds);
      } else {
        // Nobody to name: drop every cached answer of the group, every group list and chat list.
        await ctx.groupsCache.forget(groupId, {});
        await ctx.groupsCache.forgetAllMemberships(groupId);
        await ctx.cache.delPrefix(ctx.groupsCache.userGroups.key(''));
        await forgetAllRecent(ctx.cache);
      }
      return;
    }
    case 'group.member_added':
    case 'group.member_removed': {
      const { groupId, userId } = event.data;
      await ctx.groupsCache.forget(groupId, { memberships: [userId], userGroups: [userId] });
      await invalidateRecent(ctx.cache, [userId]);
      return;
    }
    case 'group.member_role_changed': {
      const { groupId, userId } = event.data;
      await ctx.groupsCache.forget(groupId, { memberships: [userId] });
      return;
    }
  }
}

import type { ServerFrame } from '@parley/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import type { Message, Notification, PresenceStatus } from '../api/types';
import { bumpConversation, updateConversations } from '../messages/chat-list';
import { applyLiveMessage } from '../messages/history';
import { applyReadUpdate } from '../messages/reads';
import { withDeletion, withReaction, type Timeline } from '../messages/timeline';
import { useLive } from './live-state';

/*
 * Live frames into the caches the screens read. Each frame touches only what it changes; when a
 * frame concerns something not in the cache (a new conversation, a group change), the affected
 * queries are refetched instead of guessed.
 */

export interface FrameContext {
  client: QueryClient;
  myId: string;
  /** The conversation on screen, whose new messages count as read at once. */
  viewing: () => string | null;
  now?: () => number;
}

const updateTimeline = (client: QueryClient, conversationId: string, change: (timeline: Timeline) => Timeline): void => {
  client.setQueryData<Timeline>(keys.timeline(conversationId), (timeline) => (timeline ? change(timeline) : timeline));
};

const updateLastMessage = (client: QueryClient, conversationId: string, messageId: string, change: (message: Message) => Message): void =>
  updateConversations(client, (item) =>
    item.id === conversationId && item.lastMessage?.id === messageId ? { ...item, lastMessage: change(item.lastMessage) } : item,
  );

export function applyFrame(frame: ServerFrame, context: FrameContext): void {
  const { client, myId } = context;
  const live = useLive.getState();
  switch (frame.type) {
    case 'message.created': {
      const message = frame.data.message as Message;
      applyLiveMessage(client, message);
      live.typingStopped(message.conversationId, message.senderId);
      const unread = message.senderId !== myId && context.viewing() !== message.conversationId;
      if (!bumpConversation(client, message, unread)) {
        void client.invalidateQueries({ queryKey: keys.conversations });
        void client.invalidateQueries({ queryKey: keys.conversation(message.conversationId) });
      }
      if (message.senderId === myId) applyReadUpdate(client, message.conversationId, myId, message.seq);
      return;
    }
    case 'message.updated': {
      const message = frame.data.message as Message;
      applyLiveMessage(client, message);
      updateLastMessage(client, message.conversationId, message.id, () => message);
      return;
    }
    case 'message.deleted': {
      const { conversationId, messageId, deletedAt } = frame.data;
      updateTimeline(client, conversationId, (timeline) => withDeletion(timeline, messageId, deletedAt));
      updateLastMessage(client, conversationId, messageId, (message) => ({ ...message, body: '', deletedAt }));
      return;
    }
    case 'reaction.updated':
      updateTimeline(client, frame.data.conversationId, (timeline) => withReaction(timeline, frame.data, myId));
      return;
    case 'read.updated': {
      const { conversationId, userId, seq } = frame.data;
      applyReadUpdate(client, conversationId, userId, seq);
      if (userId === myId) {
        updateConversations(client, (item) =>
          item.id === conversationId && seq >= item.lastReadSeq ? { ...item, lastReadSeq: seq, unreadCount: Math.max(0, item.lastSeq - seq) } : item,
        );
        void client.invalidateQueries({ queryKey: keys.conversation(conversationId) });
      }
      return;
    }
    case 'typing':
      if (frame.data.userId !== myId) live.typingStarted(frame.data.conversationId, frame.data.userId, (context.now ?? Date.now)());
      return;
    case 'presence':
      client.setQueryData<PresenceStatus>(keys.presence(frame.data.userId), frame.data.status);
      return;
    case 'notification':
      client.setQueryData<{ items: Notification[]; nextCursor: string | null }>(keys.notifications, (page) =>
        page && !page.items.some((item) => item.id === frame.data.id) ? { ...page, items: [frame.data, ...page.items] } : page,
      );
      return;
    case 'conversation.created':
      void client.invalidateQueries({ queryKey: keys.conversations });
      return;
    case 'group.created':
    case 'group.deleted':
      void client.invalidateQueries({ queryKey: keys.conversations });
      void client.invalidateQueries({ queryKey: keys.group(frame.data.groupId) });
      return;
    case 'group.updated':
      void client.invalidateQueries({ queryKey: keys.conversations });
      void client.invalidateQueries({ queryKey: keys.group(frame.data.groupId) });
      return;
    case 'group.member_added':
    case 'group.member_removed':
    case 'group.member_role_changed':
      void client.invalidateQueries({ queryKey: keys.members(frame.data.groupId) });
      void client.invalidateQueries({ queryKey: keys.group(frame.data.groupId) });
      if (frame.data.userId === myId) void client.invalidateQueries({ queryKey: keys.conversations });
      return;
    case 'ready':
    case 'pong':
    case 'error':
    case 'resync': // handled by the socket client: it resumes (gap fill) like after a reconnect
      return;
  }
}

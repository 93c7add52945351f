import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Conversation } from '../api/types';
import { nameOf, useUser } from '../ui/people';

export { useConversation } from '../messages/chat-list';

/** The name a chat is shown under: the group's name, or the other person's. */
export function useConversationTitle(conversation: Conversation | undefined): string {
  const { data: other } = useUser(conversation?.type === 'direct' ? conversation.otherUserId : null);
  if (!conversation) return '…';
  return conversation.type === 'group' ? (conversation.title ?? '…') : nameOf(other);
}

export const useGroupMembers = (groupId: string | null) =>
  useQuery({
    queryKey: keys.members(groupId ?? ''),
    queryFn: () => ok(api.GET('/api/v1/groups/{id}/members', { params: { path: { id: groupId! }, query: { limit: 200 } } })),
    enabled: Boolean(groupId),
  });

export const useMute = (conversationId: string) =>
  useQuery({
    queryKey: keys.mute(conversationId),
    queryFn: () => ok(api.GET('/api/v1/notifications/settings/conversations/{id}', { params: { path: { id: conversationId } } })),
  });

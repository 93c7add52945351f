import { infiniteQueryOptions, useInfiniteQuery, useQuery, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { Conversation, Message } from '../api/types';

/*
 * The chat list in the query cache: the pages of `GET /conversations` (newest activity first,
 * keyset cursor), loaded one after another as the list is scrolled, so a user with any number
 * of chats reaches all of them. Live frames patch the loaded pages in place (apply-frame.ts).
 */

/** Chats per request: the first page is all the list needs to show at once. */
export const CHAT_PAGE = 100;

export type ConversationPage = { items: Conversation[]; nextCursor: string | null };
export type ConversationPages = InfiniteData<ConversationPage>;

export const fetchConversationPage = (cursor: string | undefined): Promise<ConversationPage> =>
  ok(api.GET('/api/v1/conversations', { params: { query: { limit: CHAT_PAGE, ...(cursor ? { cursor } : {}) } } }));

export const conversationListQuery = infiniteQueryOptions({
  queryKey: keys.conversations,
  queryFn: ({ pageParam }: { pageParam: string | undefined }) => fetchConversationPage(pageParam),
  initialPageParam: undefined as string | undefined,
  getNextPageParam: (last: ConversationPage) => last.nextCursor ?? undefined,
});

/** Every loaded chat once, in list order (a chat moved to the top by a live message is not repeated by a later page). */
export function flattenConversations(data: ConversationPages | undefined): Conversation[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: Conversation[] = [];
  for (const page of data.pages) {
    for (const item of page.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      out.push(item);
    }
  }
  return out;
}

export function useConversationList() {
  const query = useInfiniteQuery(conversationListQuery);
  const items = useMemo(() => flattenConversations(query.data), [query.data]);
  return { ...query, items };
}

/**
 * One chat: from the loaded list, else fetched on its own (a chat far down the list opened by a
 * link, a search hit or a notification before the list reached it).
 */
export function useConversation(conversationId: string): Conversation | undefined {
  const { items, isSuccess } = useConversationList();
  const listed = items.find((item) => item.id === conversationId);
  const { data } = useQuery({
    queryKey: keys.conversation(conversationId),
    queryFn: () => ok(api.GET('/api/v1/conversations/{id}', { params: { path: { id: conversationId } } })),
    enabled: isSuccess && !listed && Boolean(conversationId),
  });
  return listed ?? data;
}

/** Changes every loaded chat with `change` (which returns the chat itself when it does not apply). */
export function updateConversations(client: QueryClient, change: (conversation: Conversation) => Conversation): void {
  client.setQueryData<ConversationPages>(
    keys.conversations,
    (data) => data && { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map(change) })) },
  );
}

/**
 * Moves a chat to the top of the list with its new last message. False when the chat is not in
 * the loaded pages (new to the user, or further down than loaded): the caller refetches.
 */
export function bumpConversation(client: QueryClient, message: Message, countsAsUnread: boolean): boolean {
  const current = flattenConversations(client.getQueryData<ConversationPages>(keys.conversations)).find((item) => item.id === message.conversationId);
  if (!current) return false;
  if (current.lastMessage && current.lastMessage.seq > message.seq) return true;
  const updated: Conversation = {
    ...current,
    lastMessage: message,
    lastSeq: Math.max(current.lastSeq, message.seq),
    lastMessageAt: message.createdAt,
    unreadCount: countsAsUnread && message.seq > current.lastSeq ? current.unreadCount + 1 : current.unreadCount,
  };
  client.setQueryData<ConversationPages>(keys.conversations, (data) => {
    if (!data) return data;
    const pages = data.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== current.id) }));
    pages[0] = { ...pages[0]!, items: [updated, ...pages[0]!.items] };
    return { ...data, pages };
  });
  return true;
}

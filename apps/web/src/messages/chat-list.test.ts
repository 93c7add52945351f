import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildMessage, FakeApi, ME } from '../../test/fake-api';
import { keys } from '../api/keys';
import type { Conversation } from '../api/types';
import { applyFrame } from '../realtime/apply-frame';
import { bumpConversation, CHAT_PAGE, conversationListQuery, flattenConversations, type ConversationPages } from './chat-list';

const TOTAL = 2 * CHAT_PAGE + 37;
const idOf = (n: number) => `0190a000-0000-7000-8000-${String(500_000 + n).padStart(12, '0')}`;
const chat = (n: number): Conversation => ({
  id: idOf(n),
  type: 'group',
  title: `Chat ${n}`,
  otherUserId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastMessage: null,
  lastMessageAt: new Date(Date.UTC(2026, 0, 1) - n * 1000).toISOString(),
  lastSeq: 1,
  lastReadSeq: 1,
  unreadCount: 0,
});

describe('the chat list pages through GET /conversations', () => {
  let api: FakeApi;
  let client: QueryClient;
  beforeEach(() => {
    api = new FakeApi();
    const all = Array.from({ length: TOTAL }, (_, n) => chat(n));
    // The API's keyset cursor, opaque to the app: here the index of the next chat.
    api.on('GET', /^\/api\/v1\/conversations$/, (call) => {
      const from = Number(call.query.get('cursor') ?? 0);
      const limit = Number(call.query.get('limit'));
      const items = all.slice(from, from + limit);
      return { status: 200, body: { items, nextCursor: from + limit < all.length ? String(from + limit) : null } };
    });
    vi.stubGlobal('fetch', api.fetch);
    client = new QueryClient();
  });
  afterEach(() => vi.unstubAllGlobals());

  it('reaches every chat of a user with more than one page, following nextCursor', async () => {
    const observer = new InfiniteQueryObserver(client, conversationListQuery);
    await observer.refetch();
    while (observer.getCurrentResult().hasNextPage) await observer.fetchNextPage();
    const items = flattenConversations(client.getQueryData<ConversationPages>(keys.conversations));
    expect(items).toHaveLength(TOTAL);
    expect(items.at(-1)?.title).toBe(`Chat ${TOTAL - 1}`);
    expect(api.callsTo('GET', /\/conversations$/).map((call) => call.query.get('cursor'))).toEqual([null, String(CHAT_PAGE), String(2 * CHAT_PAGE)]);
  });

  it('a live message moves a chat from a later page to the top, once, with its unread count', async () => {
    const observer = new InfiniteQueryObserver(client, conversationListQuery);
    await observer.refetch();
    await observer.fetchNextPage();
    const deep = chat(CHAT_PAGE + 5);
    const message = buildMessage(2, { conversationId: deep.id });
    applyFrame({ type: 'message.created', data: { message } } as never, { client, myId: ME, viewing: () => null });
    const items = flattenConversations(client.getQueryData<ConversationPages>(keys.conversations));
    expect(items[0]).toMatchObject({ id: deep.id, unreadCount: 1, lastSeq: 2 });
    expect(items.filter((item) => item.id === deep.id)).toHaveLength(1);
    expect(items).toHaveLength(2 * CHAT_PAGE);

    // A chat not loaded yet is not guessed: the caller refetches the list.
    expect(bumpConversation(client, buildMessage(2, { conversationId: chat(TOTAL - 1).id }), true)).toBe(false);
  });
});

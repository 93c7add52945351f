import { adapterKinds, type ApiResponse } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const STARTUP_TIMEOUT_MS = 180_000;

/**
 * Search in its two steps (domain/search-messages.ts) with a walk of only 4 messages, so that a
 * handful of messages crosses every boundary: the first walk, the wider second walk, the text
 * indexes below them. Whatever path a search takes, the answer must be the newest hits first,
 * complete, with every filter and the caller's scope applied. Each twice: with every scope
 * walked conversation by conversation (SEARCH_SMALL_SCOPE 100: each of these callers is in a few
 * conversations), and with every caller's scope walked over the whole table (0; a search within
 * one conversation is walked in it either way).
 */
const paths = adapterKinds().flatMap((kind) => [[kind, 'per conversation', '100'] as const, [kind, 'whole table', '0'] as const]);
describe.each(paths)('message search across the recent-walk boundary (%s, walk %s)', (kind, _path, smallScope) => {
  let s: MessagesStack;
  let alice: StackUser;
  let bob: StackUser;
  let carol: StackUser;
  let groupId: string;
  let directId: string;
  let carolsGroupId: string;
  /** Everything sent, oldest first. */
  const sent: { id: string; conversationId: string; senderId: string; body: string; createdAt: string }[] = [];

  const search = (user: StackUser, params: Record<string, string>): Promise<ApiResponse> =>
    s.api('GET', `/api/v1/search/messages?${new URLSearchParams(params).toString()}`, { token: user.token });
  const hitIds = async (user: StackUser, params: Record<string, string>): Promise<string[]> => {
    const res = await search(user, params);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.items.map((hit: any) => hit.message.id as string);
  };
  /** The ids of sent messages that pass the test, newest first: what a search must answer. */
  const newestFirst = (test: (m: (typeof sent)[number]) => boolean): string[] =>
    sent
      .filter(test)
      .map((m) => m.id)
      .reverse();
  const say = async (user: StackUser, conversationId: string, body: string) => {
    const message = await send(s, user, conversationId, body);
    sent.push({ id: message.id, conversationId, senderId: user.id, body, createdAt: message.createdAt });
  };

  beforeAll(async () => {
    s = await startMessagesStack(kind, { messagesEnv: { SEARCH_RECENT_WINDOW: '4', SEARCH_SMALL_SCOPE: smallScope } });
    [alice, bob, carol] = await Promise.all([s.register(), s.register(), s.register()]);
    groupId = await createGroup(s, alice, [bob], 'Window');
    directId = await openDirect(s, alice, bob);
    carolsGroupId = await createGroup(s, carol, [], 'Carol alone');
    // Oldest first. Walruses are all old: the first walk of any search sees none of them.
    await say(alice, groupId, 'a walrus on the ice');
    await say(bob, directId, 'narwhal sighted far north');
    await say(bob, groupId, 'another walrus, bigger');
    await say(alice, groupId, 'just some filler');
    await say(bob, groupId, 'the narwhal tusk is a tooth');
    await say(alice, directId, 'walrus or narwhal?');
    await say(carol, carolsGroupId, 'carol keeps a walrus');
    await say(alice, groupId, 'more filler');
    await say(bob, directId, 'a narwhal again');
    await say(alice, groupId, 'filler, filler');
    // The newest four: three narwhals for the caller, one in a conversation alice is not in.
    await say(alice, groupId, 'narwhal pod passing');
    await say(carol, carolsGroupId, 'carol saw a narwhal');
    await say(bob, groupId, 'narwhal again, a big one');
    await say(alice, directId, 'narwhal everywhere');
  }, STARTUP_TIMEOUT_MS);
  afterAll(async () => {
    await s?.stop();
  });

  const alices = (m: (typeof sent)[number]) => m.conversationId !== carolsGroupId;

  it('when the first walk finds no hit, the older hits come from the text indexes, newest first', async () => {
    expect(await hitIds(alice, { q: 'walrus' })).toEqual(newestFirst((m) => alices(m) && m.body.includes('walrus')));
    expect(await hitIds(carol, { q: 'walrus' })).toEqual(newestFirst((m) => m.conversationId === carolsGroupId && m.body.includes('walrus')));
  });

  it('when the first walk finds some hits but not a page, the wider walk and the indexes find the rest in order', async () => {
    const narwhals = newestFirst((m) => alices(m) && m.body.includes('narwhal'));
    expect(narwhals.length).toBeGreaterThan(4);
    expect(await hitIds(alice, { q: 'narwhal' })).toEqual(narwhals);
    // Partial words take the same path.
    expect(await hitIds(alice, { q: 'arwha' })).toEqual(narwhals);
  });

  it('pages across the boundaries without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await search(alice, { q: 'narwhal', limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((h: any) => h.message.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(newestFirst((m) => alices(m) && m.body.includes('narwhal')));
  });

  it('applies the sender, conversation and date filters on every path', async () => {
    const narwhal = (m: (typeof sent)[number]) => alices(m) && m.body.includes('narwhal');
    expect(await hitIds(alice, { q: 'narwhal', senderId: bob.id })).toEqual(newestFirst((m) => narwhal(m) && m.senderId === bob.id));
    expect(await hitIds(alice, { q: 'narwhal', conversationId: directId })).toEqual(newestFirst((m) => narwhal(m) && m.conversationId === directId));
    expect(await hitIds(alice, { q: 'walrus', conversationId: groupId })).toEqual(
      newestFirst((m) => alices(m) && m.body.includes('walrus') && m.conversationId === groupId),
    );
    const middle = sent.find((m) => m.body === 'a narwhal again')!;
    expect(await hitIds(alice, { q: 'narwhal', before: middle.createdAt })).toEqual(newestFirst((m) => narwhal(m) && m.createdAt < middle.createdAt));
    expect(await hitIds(alice, { q: 'walrus', after: sent[0]!.createdAt })).toEqual(
      newestFirst((m) => alices(m) && m.body.includes('walrus') && m.createdAt > sent[0]!.createdAt),
    );
  });

  it('pages within one conversation, with and without a sender, without repeats or gaps', async () => {
    for (const [conversationId, extra] of [
      [groupId, {}],
      [directId, {}],
      [groupId, { senderId: bob.id }],
    ] as const) {
      for (const q of ['narwhal', 'walrus', 'filler']) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: ApiResponse = await search(alice, { q, conversationId, limit: '1', ...extra, ...(cursor ? { cursor } : {}) });
          expect(res.status).toBe(200);
          seen.push(...res.body.items.map((h: any) => h.message.id));
          cursor = res.body.nextCursor;
          pages++;
        } while (cursor && pages < 20);
        const sender = 'senderId' in extra ? extra.senderId : undefined;
        expect(seen, `${q} in ${conversationId}`).toEqual(
          newestFirst((m) => m.conversationId === conversationId && m.body.includes(q) && (sender === undefined || m.senderId === sender)),
        );
      }
    }
  });

  it('a conversation busier than the others does not hide their older hits', async () => {
    // Eve's busy group gets the newest messages; her quiet direct conversation has one old hit. Each
    // walk reads two messages of each (a window of 4 over two conversations): the edge must be the
    // busy one's (the newer), or the busy one's older orcas would be skipped.
    const eve = await s.register();
    const quiet = await openDirect(s, eve, bob);
    const busy = await createGroup(s, eve, [], 'Busy');
    await say(bob, quiet, 'an old orca in the quiet one');
    await say(eve, quiet, 'quiet again');
    for (let i = 0; i < 6; i++) await say(eve, busy, i % 2 === 0 ? `orca number ${i}` : `busy chatter ${i}`);
    const orcas = newestFirst((m) => (m.conversationId === quiet || m.conversationId === busy) && m.body.includes('orca'));
    expect(orcas).toHaveLength(4);
    expect(await hitIds(eve, { q: 'orca' })).toEqual(orcas);
    expect(await hitIds(eve, { q: 'orca', limit: '3' })).toEqual(orcas.slice(0, 3));
    expect(await hitIds(eve, { q: 'orca', conversationId: quiet })).toEqual(orcas.slice(-1));
  });

  it('when a member is removed from the group, neither step shows its messages any more', async () => {
    const dave = await s.register();
    const team = await createGroup(s, alice, [dave], 'Short-lived');
    await say(alice, team, 'a narwhal for dave');
    await say(alice, team, 'an old walrus for dave');
    expect(await hitIds(dave, { q: 'narwhal' })).toHaveLength(1);
    expect((await s.groupsApi('DELETE', `/api/v1/groups/${team}/members/${dave.id}`, { token: alice.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await hitIds(dave, { q: 'narwhal' })).toEqual([]), { timeout: 15_000, interval: 100 });
    expect(await hitIds(dave, { q: 'walrus' })).toEqual([]);
    expect(await hitIds(alice, { q: 'walrus' })).toContain(sent.at(-1)!.id);
  });
});

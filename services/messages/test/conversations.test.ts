import { adapterKinds, apiFor, expectFieldErrors, expectProblem } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };

describe.each(adapterKinds())('conversations (%s)', (kind) => {
  let s: MessagesStack;
  beforeAll(async () => {
    s = await startMessagesStack(kind);
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  describe('POST /api/v1/conversations/direct', () => {
    it('creates the pair’s conversation once: 201 the first time, 200 with the same id after, from either side', async () => {
      const [a, b] = await Promise.all([s.register(), s.register()]);
      const first = await s.api('POST', '/api/v1/conversations/direct', { token: a.token, body: { userId: b.id } });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        id: expect.any(String),
        type: 'direct',
        title: expect.stringContaining('User '),
        otherUserId: b.id,
        lastMessage: null,
        lastSeq: 0,
        lastReadSeq: 0,
        unreadCount: 0,
        lastMessageAt: null,
        createdAt: expect.any(String),
      });
      const again = await s.api('POST', '/api/v1/conversations/direct', { token: a.token, body: { userId: b.id } });
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      const fromOther = await s.api('POST', '/api/v1/conversations/direct', { token: b.token, body: { userId: a.id.toUpperCase() } });
      expect(fromOther.status).toBe(200);
      expect(fromOther.body.id).toBe(first.body.id);
      expect(fromOther.body.otherUserId).toBe(a.id);
    });

    it('with yourself, it answers 400 naming userId', async () => {
      const a = await s.register();
      expectFieldErrors(await s.api('POST', '/api/v1/conversations/direct', { token: a.token, body: { userId: a.id } }), ['body.userId']);
    });

    it('with an unknown user, it answers 404', async () => {
      const a = await s.register();
      const res = await s.api('POST', '/api/v1/conversations/direct', { token: a.token, body: { userId: '01890000-0000-7000-8000-000000000000' } });
      expectProblem(res, 404);
    });

    it.each([
      ['missing', {}],
      ['not a UUID', { userId: 'nope' }],
      ['a number', { userId: 42 }],
      ['an array', { userId: ['01890000-0000-7000-8000-000000000000'] }],
      ['null', { userId: null }],
    ])('with userId %s, it answers 400 naming userId', async (_what, body) => {
      const a = await s.register();
      expectFieldErrors(await s.api('POST', '/api/v1/conversations/direct', { token: a.token, body }), ['body.userId']);
    });

    it('with a malformed JSON body, it answers 400 problem+json', async () => {
      const a = await s.register();
      const res = await s.api('POST', '/api/v1/conversations/direct', {
        token: a.token,
        raw: '{"userId": ',
        headers: { 'content-type': 'application/json' },
      });
      expectProblem(res, 400);
    });

    it('ignores extra fields', async () => {
      const [a, b] = await Promise.all([s.register(), s.register()]);
      const res = await s.api('POST', '/api/v1/conversations/direct', {
        token: a.token,
        body: { userId: b.id, type: 'group', id: '01890000-0000-7000-8000-000000000000', title: 'hack' },
      });
      expect(res.status).toBe(201);
      expect(res.body.type).toBe('direct');
      expect(res.body.id).not.toBe('01890000-0000-7000-8000-000000000000');
    });

    it('without a token, it answers 401', async () => {
      expectProblem(await s.api('POST', '/api/v1/conversations/direct', { body: { userId: '01890000-0000-7000-8000-000000000000' } }), 401);
    });
  });

  describe('GET /api/v1/conversations', () => {
    it('lists the caller’s chats newest activity first, with title, last message, seqs and unread count', async () => {
      const [me, bob, carol] = await Promise.all([s.register(), s.register(), s.register()]);
      const withBob = await openDirect(s, me, bob);
      const withCarol = await openDirect(s, me, carol);
      const groupId = await createGroup(s, me, [bob], 'Book club');
      await send(s, bob, withBob, 'first from bob');
      await send(s, bob, withBob, 'second from bob');
      await send(s, me, groupId, 'in the group');
      const last = await send(s, carol, withCarol, 'carol speaks last');

      const res = await s.api('GET', '/api/v1/conversations', { token: me.token });
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items.map((c: any) => c.id)).toEqual([withCarol, groupId, withBob]);
      const [c, g, b] = res.body.items;
      expect(c).toMatchObject({ type: 'direct', otherUserId: carol.id, lastSeq: 1, lastReadSeq: 0, unreadCount: 1 });
      expect(c.lastMessage).toMatchObject({ id: last.id, body: 'carol speaks last', senderId: carol.id });
      expect(b).toMatchObject({ type: 'direct', lastSeq: 2, unreadCount: 2 });
      expect(b.lastMessage.body).toBe('second from bob');
      // My own message is never unread for me.
      expect(g).toMatchObject({ type: 'group', otherUserId: null, lastSeq: 1, unreadCount: 0 });
      // The title of a group comes from its group.created event.
      await vi.waitFor(async () => {
        const again = await s.api('GET', `/api/v1/conversations/${groupId}`, { token: me.token });
        expect(again.body.title).toBe('Book club');
      }, WAIT);
      const directTitle = (await s.api('GET', `/api/v1/conversations/${withCarol}`, { token: me.token })).body.title;
      expect(directTitle).toMatch(/^User /);
    });

    it('reflects a new message and a read mark on the very next read (the cached list is invalidated)', async () => {
      const [me, bob] = await Promise.all([s.register(), s.register()]);
      const direct = await openDirect(s, me, bob);
      await send(s, bob, direct, 'one');
      const before = await s.api('GET', '/api/v1/conversations', { token: me.token });
      expect(before.body.items[0]).toMatchObject({ id: direct, unreadCount: 1 });

      const second = await send(s, bob, direct, 'two');
      const afterSend = await s.api('GET', '/api/v1/conversations', { token: me.token });
      expect(afterSend.body.items[0]).toMatchObject({ unreadCount: 2, lastSeq: 2 });
      expect(afterSend.body.items[0].lastMessage.id).toBe(second.id);

      expect((await s.api('POST', `/api/v1/conversations/${direct}/read`, { token: me.token, body: { seq: 2 } })).status).toBe(204);
      const afterRead = await s.api('GET', '/api/v1/conversations', { token: me.token });
      expect(afterRead.body.items[0]).toMatchObject({ unreadCount: 0, lastReadSeq: 2 });

      // Bob's own list was invalidated by his send too.
      const bobs = await s.api('GET', '/api/v1/conversations', { token: bob.token });
      expect(bobs.body.items[0]).toMatchObject({ id: direct, lastSeq: 2, unreadCount: 0 });
    });

    it('pages with limit and nextCursor, without repeats or gaps', async () => {
      const me = await s.register();
      const others = await Promise.all(Array.from({ length: 5 }, () => s.register()));
      const ids: string[] = [];
      for (const other of others) {
        const id = await openDirect(s, me, other);
        await send(s, other, id);
        ids.unshift(id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const res = await s.api('GET', `/api/v1/conversations${query}`, { token: me.token });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((c: any) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);
    });

    it.each([
      ['limit=0', 'querystring.limit'],
      ['limit=201', 'querystring.limit'],
      ['limit=abc', 'querystring.limit'],
      ['cursor=garbage', 'querystring.cursor'],
    ])('with %s, it answers 400 naming the parameter', async (query, field) => {
      const me = await s.register();
      expectFieldErrors(await s.api('GET', `/api/v1/conversations?${query}`, { token: me.token }), [field]);
    });

    it('shows a new display name of the other user as the direct chat’s title', async () => {
      const [me, bob] = await Promise.all([s.register(), s.register()]);
      const direct = await openDirect(s, me, bob);
      await s.api('GET', '/api/v1/conversations', { token: me.token });
      const patched = await apiFor(s.accountsUrl)('PATCH', '/api/v1/users/me', { token: bob.token, body: { displayName: 'Robert Renamed' } });
      expect(patched.status).toBe(200);
      await vi.waitFor(async () => {
        const res = await s.api('GET', '/api/v1/conversations', { token: me.token });
        expect(res.body.items.find((c: any) => c.id === direct)?.title).toBe('Robert Renamed');
      }, WAIT);
    });

    it('shows a group’s new name once it is renamed', async () => {
      const me = await s.register();
      const groupId = await createGroup(s, me, [], 'Old name');
      await send(s, me, groupId);
      const renamed = await s.groupsApi('PATCH', `/api/v1/groups/${groupId}`, { token: me.token, body: { name: 'New name' } });
      expect(renamed.status).toBe(200);
      await vi.waitFor(async () => {
        const res = await s.api('GET', '/api/v1/conversations', { token: me.token });
        expect(res.body.items.find((c: any) => c.id === groupId)?.title).toBe('New name');
      }, WAIT);
    });

    it('lists a group the caller was just added to, with no message in it yet', async () => {
      const [owner, newcomer] = await Promise.all([s.register(), s.register()]);
      const groupId = await createGroup(s, owner, [], 'Fresh');
      await s.api('GET', '/api/v1/conversations', { token: newcomer.token });
      const added = await s.groupsApi('POST', `/api/v1/groups/${groupId}/members`, { token: owner.token, body: { userIds: [newcomer.id] } });
      expect(added.status).toBe(200);
      await vi.waitFor(async () => {
        const res = await s.api('GET', '/api/v1/conversations', { token: newcomer.token });
        expect(res.body.items.map((c: any) => c.id)).toContain(groupId);
      }, WAIT);
    });
  });

  it('serves its OpenAPI document with the conversations and messages routes', async () => {
    const res = await s.api('GET', '/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/conversations',
        '/api/v1/conversations/direct',
        '/api/v1/conversations/{id}/messages',
        '/api/v1/conversations/{id}/read',
        '/api/v1/messages/{id}',
        '/api/v1/messages/{id}/reactions/{emoji}',
      ]),
    );
  });

  describe('GET /api/v1/conversations/:id', () => {
    it('answers a group’s conversation the moment the group exists', async () => {
      const owner = await s.register();
      const groupId = await createGroup(s, owner);
      const res = await s.api('GET', `/api/v1/conversations/${groupId}`, { token: owner.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: groupId, type: 'group', lastSeq: 0 });
    });

    it.each([
      ['an unknown id', '01890000-0000-7000-8000-000000000000'],
      ['a malformed id', 'not-a-uuid'],
    ])('for %s, it answers 404', async (_what, id) => {
      const me = await s.register();
      expectProblem(await s.api('GET', `/api/v1/conversations/${id}`, { token: me.token }), 404);
    });

    it('for someone else’s direct conversation, it answers 404', async () => {
      const [a, b, stranger] = await Promise.all([s.register(), s.register(), s.register()]);
      const direct = await openDirect(s, a, b);
      expectProblem(await s.api('GET', `/api/v1/conversations/${direct}`, { token: stranger.token }), 404);
      expectProblem(await s.api('GET', `/api/v1/conversations/${direct}/messages`, { token: stranger.token }), 404);
    });
  });
});

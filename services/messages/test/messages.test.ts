import { adapterKinds, expectFieldErrors, expectProblem } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGroup, openDirect, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };
const SEND_RATE = 20;
const UNKNOWN = '01890000-0000-7000-8000-000000000000';

describe.each(adapterKinds())('messages (%s)', (kind) => {
  let s: MessagesStack;
  beforeAll(async () => {
    s = await startMessagesStack(kind, { messagesEnv: { SEND_RATE_PER_MINUTE: String(SEND_RATE) } });
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  const pair = async (): Promise<{ a: StackUser; b: StackUser; id: string }> => {
    const [a, b] = await Promise.all([s.register(), s.register()]);
    return { a, b, id: await openDirect(s, a, b) };
  };
  const post = (user: StackUser, conversationId: string, body: unknown) =>
    s.api('POST', `/api/v1/conversations/${conversationId}/messages`, { token: user.token, body });

  describe('POST /api/v1/conversations/:id/messages', () => {
    it('answers 201 with the message, seqs counting up from 1', async () => {
      const { a, b, id } = await pair();
      const first = await post(a, id, { body: '  hello there  ', clientMessageId: 'c-1' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id: expect.any(String),
        conversationId: id,
        seq: 1,
        senderId: a.id,
        body: 'hello there',
        clientMessageId: 'c-1',
        replyToId: null,
        attachments: [],
        reactions: [],
        createdAt: expect.any(String),
        editedAt: null,
        deletedAt: null,
      });
      const second = await post(b, id, { body: 'hi', clientMessageId: 'c-1' });
      expect(second.status).toBe(201);
      expect(second.body.seq).toBe(2);
      expect(second.body.senderId).toBe(b.id);
    });

    it('answers a resend of the same clientMessageId with the same message (200), never a duplicate', async () => {
      const { a, id } = await pair();
      const first = await post(a, id, { body: 'once', clientMessageId: 'resend-me' });
      const again = await post(a, id, { body: 'once (edited text in a resend is ignored)', clientMessageId: 'resend-me' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      const history = await s.api('GET', `/api/v1/conversations/${id}/messages`, { token: a.token });
      expect(history.body.items).toHaveLength(1);
    });

    it('ignores senderId, createdAt, seq and id sent by the client', async () => {
      const { a, b, id } = await pair();
      const res = await post(a, id, {
        body: 'trust me',
        clientMessageId: 'x',
        senderId: b.id,
        createdAt: '2000-01-01T00:00:00.000Z',
        seq: 999,
        id: UNKNOWN,
        deletedAt: '2000-01-01T00:00:00.000Z',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ senderId: a.id, seq: 1, deletedAt: null });
      expect(res.body.id).not.toBe(UNKNOWN);
      expect(new Date(res.body.createdAt).getFullYear()).toBeGreaterThan(2020);
    });

    it('accepts a body of exactly 10,000 characters, counting an emoji as one', async () => {
      const { a, id } = await pair();
      expect((await post(a, id, { body: 'x'.repeat(10_000), clientMessageId: 'long' })).status).toBe(201);
      const emoji = await post(a, id, { body: '😀'.repeat(10_000), clientMessageId: 'emoji' });
      expect(emoji.status).toBe(201);
      expect([...emoji.body.body]).toHaveLength(10_000);
    });

    it.each([
      ['body missing', { clientMessageId: 'c' }, 'body.body'],
      ['body empty', { body: '', clientMessageId: 'c' }, 'body.body'],
      ['body only whitespace', { body: ' \n\t ', clientMessageId: 'c' }, 'body.body'],
      ['body over 10,000 characters', { body: 'x'.repeat(10_001), clientMessageId: 'c' }, 'body.body'],
      ['body a number', { body: 42, clientMessageId: 'c' }, 'body.body'],
      ['body an object', { body: { text: 'hi' }, clientMessageId: 'c' }, 'body.body'],
      ['body with a NUL character', { body: 'a\u0000b', clientMessageId: 'c' }, 'body.body'],
      ['clientMessageId missing', { body: 'hi' }, 'body.clientMessageId'],
      ['clientMessageId empty', { body: 'hi', clientMessageId: '' }, 'body.clientMessageId'],
      ['clientMessageId over 100 characters', { body: 'hi', clientMessageId: 'c'.repeat(101) }, 'body.clientMessageId'],
      ['clientMessageId a number', { body: 'hi', clientMessageId: 7 }, 'body.clientMessageId'],
      ['replyToId not a UUID', { body: 'hi', clientMessageId: 'c', replyToId: 'nope' }, 'body.replyToId'],
      ['replyToId an unknown message', { body: 'hi', clientMessageId: 'c', replyToId: UNKNOWN }, 'body.replyToId'],
      ['attachmentIds not an array', { body: 'hi', clientMessageId: 'c', attachmentIds: UNKNOWN }, 'body.attachmentIds'],
      ['attachmentIds with a malformed id', { body: 'hi', clientMessageId: 'c', attachmentIds: ['nope'] }, 'body.attachmentIds.0'],
      ['attachmentIds with an unknown file', { body: 'hi', clientMessageId: 'c', attachmentIds: [UNKNOWN] }, 'body.attachmentIds'],
    ])('with %s, it answers 400 naming the field and stores nothing', async (_what, body, field) => {
      const { a, id } = await pair();
      expectFieldErrors(await post(a, id, body), [field]);
      const history = await s.api('GET', `/api/v1/conversations/${id}/messages`, { token: a.token });
      expect(history.body.items).toEqual([]);
      // No seq was used up either.
      expect((await post(a, id, { body: 'after', clientMessageId: 'after' })).body.seq).toBe(1);
    });

    it('with a malformed JSON body or none at all, it answers 400 problem+json', async () => {
      const { a, id } = await pair();
      expectProblem(
        await s.api('POST', `/api/v1/conversations/${id}/messages`, { token: a.token, raw: '{"body": "x"', headers: { 'content-type': 'application/json' } }),
        400,
      );
      expectProblem(await s.api('POST', `/api/v1/conversations/${id}/messages`, { token: a.token }), 400);
    });

    it('with a body over the request size limit, it answers 413', async () => {
      const { a, id } = await pair();
      expectProblem(await post(a, id, { body: 'x'.repeat(300_000), clientMessageId: 'huge' }), 413);
    });

    it('replies to a message of the same conversation, and refuses one of another conversation (400)', async () => {
      const { a, b, id } = await pair();
      const parent = await send(s, a, id, 'parent');
      const reply = await post(b, id, { body: 'reply', clientMessageId: 'r', replyToId: parent.id });
      expect(reply.status).toBe(201);
      expect(reply.body.replyToId).toBe(parent.id);

      const elsewhere = await pair();
      const foreign = await send(s, elsewhere.a, elsewhere.id, 'elsewhere');
      expectFieldErrors(await post(a, id, { body: 'reply', clientMessageId: 'r2', replyToId: foreign.id }), ['body.replyToId']);
    });

    it.each([
      ['an unknown conversation', UNKNOWN],
      ['a malformed conversation id', 'not-a-uuid'],
    ])('into %s, it answers 404', async (_what, conversationId) => {
      const a = await s.register();
      expectProblem(await post(a, conversationId, { body: 'hi', clientMessageId: 'c' }), 404);
    });

    it('into someone else’s conversation, it answers 404', async () => {
      const { id } = await pair();
      const stranger = await s.register();
      expectProblem(await post(stranger, id, { body: 'hi', clientMessageId: 'c' }), 404);
    });

    it('without a token, it answers 401', async () => {
      const { id } = await pair();
      expectProblem(await s.api('POST', `/api/v1/conversations/${id}/messages`, { body: { body: 'hi', clientMessageId: 'c' } }), 401);
    });

    it(`past ${SEND_RATE} messages a minute, it answers 429 with Retry-After; a resend still answers 200`, async () => {
      const { a, id } = await pair();
      for (let i = 0; i < SEND_RATE; i++) expect((await post(a, id, { body: `m${i}`, clientMessageId: `m${i}` })).status).toBe(201);
      const limited = await post(a, id, { body: 'one too many', clientMessageId: 'over' });
      expectProblem(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await post(a, id, { body: 'm0', clientMessageId: 'm0' })).status).toBe(200);
      // Another user is not limited by a's sending.
      const other = await s.register();
      const groupId = await createGroup(s, other);
      expect((await post(other, groupId, { body: 'free', clientMessageId: 'free' })).status).toBe(201);
    });

    it('carries the mentioned members (by @username, any case, not the sender, not outsiders) in message.created', async () => {
      const [owner, alice, bob, outsider] = await Promise.all([s.register(), s.register(), s.register(), s.register()]);
      const groupId = await createGroup(s, owner, [alice, bob]);
      const message = await send(
        s,
        owner,
        groupId,
        `hey @${alice.username.toUpperCase()}, ask @${bob.username}. and @${outsider.username} and @${owner.username} and mail x@${alice.username}`,
      );
      await vi.waitFor(() => expect(s.recorder.of('message.created', (d) => d.message.id === message.id)).toHaveLength(1), WAIT);
      const [event] = s.recorder.of('message.created', (d) => d.message.id === message.id);
      expect([...event!.data.mentions].sort()).toEqual([alice.id, bob.id].sort());
      expect([...event!.data.recipients].sort()).toEqual([owner.id, alice.id, bob.id].sort());
      expect(event!.data.message).toMatchObject({ id: message.id, seq: message.seq, body: message.body });
    });
  });

  describe('GET /api/v1/conversations/:id/messages', () => {
    let a: StackUser;
    let id: string;
    beforeAll(async () => {
      ({ a, id } = await pair());
      for (let i = 1; i <= 7; i++) await send(s, a, id, `n${i}`);
    });
    const seqs = (res: { body: any }) => res.body.items.map((m: any) => m.seq);

    it('without before or after, answers the newest page newest first', async () => {
      const res = await s.api('GET', `/api/v1/conversations/${id}/messages?limit=3`, { token: a.token });
      expect(res.status).toBe(200);
      expect(seqs(res)).toEqual([7, 6, 5]);
      expect(res.body.nextCursor).toBe('5');
    });

    it('with before, pages back newest first until nextCursor is null', async () => {
      const page = await s.api('GET', `/api/v1/conversations/${id}/messages?before=5&limit=3`, { token: a.token });
      expect(seqs(page)).toEqual([4, 3, 2]);
      expect(page.body.nextCursor).toBe('2');
      const last = await s.api('GET', `/api/v1/conversations/${id}/messages?before=2&limit=3`, { token: a.token });
      expect(seqs(last)).toEqual([1]);
      expect(last.body.nextCursor).toBeNull();
    });

    it('with after, answers oldest first (catching up after a reconnect)', async () => {
      const page = await s.api('GET', `/api/v1/conversations/${id}/messages?after=2&limit=3`, { token: a.token });
      expect(seqs(page)).toEqual([3, 4, 5]);
      expect(page.body.nextCursor).toBe('5');
      const rest = await s.api('GET', `/api/v1/conversations/${id}/messages?after=5`, { token: a.token });
      expect(seqs(rest)).toEqual([6, 7]);
      expect(rest.body.nextCursor).toBeNull();
      const none = await s.api('GET', `/api/v1/conversations/${id}/messages?after=7`, { token: a.token });
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });

    it.each([
      ['before=abc', 'querystring.before'],
      ['after=-1', 'querystring.after'],
      ['after=1.5', 'querystring.after'],
      ['limit=0', 'querystring.limit'],
      ['limit=201', 'querystring.limit'],
      ['before=5&after=2', 'querystring.after'],
    ])('with %s, it answers 400 naming the parameter', async (query, field) => {
      expectFieldErrors(await s.api('GET', `/api/v1/conversations/${id}/messages?${query}`, { token: a.token }), [field]);
    });
  });

  describe('PATCH /api/v1/messages/:id', () => {
    it('lets the author edit: the new body, editedAt set, seq kept', async () => {
      const { a, id } = await pair();
      const message = await send(s, a, id, 'typo');
      const res = await s.api('PATCH', `/api/v1/messages/${message.id}`, { token: a.token, body: { body: 'fixed', seq: 99, senderId: UNKNOWN } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: message.id, seq: message.seq, body: 'fixed', senderId: a.id, editedAt: expect.any(String) });
      const history = await s.api('GET', `/api/v1/conversations/${id}/messages`, { token: a.token });
      expect(history.body.items[0]).toMatchObject({ body: 'fixed', editedAt: res.body.editedAt });
    });

    it('for another member of the conversation, answers 403; for a stranger, 404', async () => {
      const { a, b, id } = await pair();
      const message = await send(s, a, id, 'mine');
      expectProblem(await s.api('PATCH', `/api/v1/messages/${message.id}`, { token: b.token, body: { body: 'yours?' } }), 403);
      const stranger = await s.register();
      expectProblem(await s.api('PATCH', `/api/v1/messages/${message.id}`, { token: stranger.token, body: { body: 'hm' } }), 404);
    });

    it.each([
      ['an unknown message', UNKNOWN],
      ['a malformed id', 'nope'],
    ])('for %s, answers 404', async (_what, messageId) => {
      const a = await s.register();
      expectProblem(await s.api('PATCH', `/api/v1/messages/${messageId}`, { token: a.token, body: { body: 'x' } }), 404);
    });

    it.each([
      ['missing', {}],
      ['empty', { body: '' }],
      ['over 10,000 characters', { body: 'y'.repeat(10_001) }],
      ['not a string', { body: ['x'] }],
    ])('with the body %s, answers 400 naming body', async (_what, body) => {
      const { a, id } = await pair();
      const message = await send(s, a, id);
      expectFieldErrors(await s.api('PATCH', `/api/v1/messages/${message.id}`, { token: a.token, body }), ['body.body']);
    });

    it('on a deleted message, answers 409', async () => {
      const { a, id } = await pair();
      const message = await send(s, a, id);
      expect((await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: a.token })).status).toBe(204);
      expectProblem(await s.api('PATCH', `/api/v1/messages/${message.id}`, { token: a.token, body: { body: 'back' } }), 409);
    });
  });

  describe('DELETE /api/v1/messages/:id', () => {
    it('leaves a tombstone: same id and seq, empty body, deletedAt set, reactions hidden; again is a no-op', async () => {
      const { a, b, id } = await pair();
      const message = await send(s, a, id, 'regret');
      await s.api('PUT', `/api/v1/messages/${message.id}/reactions/${encodeURIComponent('👍')}`, { token: b.token });
      expect((await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: a.token })).status).toBe(204);
      const history = await s.api('GET', `/api/v1/conversations/${id}/messages`, { token: b.token });
      expect(history.body.items).toEqual([
        expect.objectContaining({ id: message.id, seq: message.seq, body: '', deletedAt: expect.any(String), reactions: [], attachments: [] }),
      ]);
      expect((await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: a.token })).status).toBe(204);
      await vi.waitFor(() => expect(s.recorder.of('message.deleted', (d) => d.messageId === message.id)).toHaveLength(1), WAIT);
    });

    it('in a direct conversation, only the author may (403 for the other member, 404 for a stranger)', async () => {
      const { a, b, id } = await pair();
      const message = await send(s, a, id);
      expectProblem(await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: b.token }), 403);
      const stranger = await s.register();
      expectProblem(await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: stranger.token }), 404);
    });

    it('in a group, an admin or the owner may delete anyone’s message; a plain member may not', async () => {
      const [owner, admin, member, other] = await Promise.all([s.register(), s.register(), s.register(), s.register()]);
      const groupId = await createGroup(s, owner, [admin, member, other]);
      const promoted = await s.groupsApi('PATCH', `/api/v1/groups/${groupId}/members/${admin.id}`, { token: owner.token, body: { role: 'admin' } });
      expect(promoted.status).toBe(200);
      const [m1, m2, m3] = [await send(s, other, groupId), await send(s, other, groupId), await send(s, owner, groupId)];
      expectProblem(await s.api('DELETE', `/api/v1/messages/${m1.id}`, { token: member.token }), 403);
      expect((await s.api('DELETE', `/api/v1/messages/${m1.id}`, { token: admin.token })).status).toBe(204);
      expect((await s.api('DELETE', `/api/v1/messages/${m2.id}`, { token: owner.token })).status).toBe(204);
      expect((await s.api('DELETE', `/api/v1/messages/${m3.id}`, { token: owner.token })).status).toBe(204);
    });

    it.each([
      ['an unknown message', UNKNOWN],
      ['a malformed id', 'nope'],
    ])('for %s, answers 404', async (_what, messageId) => {
      const a = await s.register();
      expectProblem(await s.api('DELETE', `/api/v1/messages/${messageId}`, { token: a.token }), 404);
    });
  });
});

import { adapterKinds, expectFieldErrors, expectProblem } from '@parley/kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDirect, send, startMessagesStack, type MessagesStack, type StackUser } from './stack.ts';

const WAIT = { timeout: 15_000, interval: 50 };
const MAX_REACTIONS = 3;
const UNKNOWN = '01890000-0000-7000-8000-000000000000';
const enc = encodeURIComponent;

describe.each(adapterKinds())('reactions and read state (%s)', (kind) => {
  let s: MessagesStack;
  beforeAll(async () => {
    s = await startMessagesStack(kind, { messagesEnv: { MESSAGE_MAX_REACTIONS: String(MAX_REACTIONS) } });
  }, 240_000);
  afterAll(async () => {
    await s?.stop();
  });

  const pair = async (): Promise<{ a: StackUser; b: StackUser; id: string }> => {
    const [a, b] = await Promise.all([s.register(), s.register()]);
    return { a, b, id: await openDirect(s, a, b) };
  };
  const react = (user: StackUser, messageId: string, emoji: string, method: 'PUT' | 'DELETE' = 'PUT') =>
    s.api(method, `/api/v1/messages/${messageId}/reactions/${emoji}`, { token: user.token });
  const reactionsAs = async (user: StackUser, conversationId: string, messageId: string) => {
    const res = await s.api('GET', `/api/v1/conversations/${conversationId}/messages`, { token: user.token });
    return res.body.items.find((m: any) => m.id === messageId).reactions;
  };
  const conversationAs = async (user: StackUser, conversationId: string) =>
    (await s.api('GET', `/api/v1/conversations/${conversationId}`, { token: user.token })).body;

  describe('PUT / DELETE /api/v1/messages/:id/reactions/:emoji', () => {
    it('adds and removes reactions idempotently (204), counted per emoji with `me` per viewer', async () => {
      const { a, b, id } = await pair();
      const message = await send(s, a, id);
      expect((await react(a, message.id, enc('👍'))).status).toBe(204);
      expect((await react(a, message.id, enc('👍'))).status).toBe(204);
      expect(await reactionsAs(a, id, message.id)).toEqual([{ emoji: '👍', count: 1, me: true }]);
      expect(await reactionsAs(b, id, message.id)).toEqual([{ emoji: '👍', count: 1, me: false }]);

      expect((await react(b, message.id, enc('👍'))).status).toBe(204);
      expect((await react(b, message.id, '🙏')).status).toBe(204);
      expect(await reactionsAs(b, id, message.id)).toEqual([
        { emoji: '👍', count: 2, me: true },
        { emoji: '🙏', count: 1, me: true },
      ]);

      expect((await react(a, message.id, enc('👍'), 'DELETE')).status).toBe(204);
      expect((await react(a, message.id, enc('👍'), 'DELETE')).status).toBe(204);
      expect(await reactionsAs(a, id, message.id)).toEqual([
        { emoji: '👍', count: 1, me: false },
        { emoji: '🙏', count: 1, me: false },
      ]);

      // One event per change, none for the repeats.
      await vi.waitFor(() => expect(s.recorder.of('reaction.updated', (d) => d.messageId === message.id)).toHaveLength(4), WAIT);
      const events = s.recorder.of('reaction.updated', (d) => d.messageId === message.id).map((e) => e.data);
      expect(events.map((d) => [d.userId, d.emoji, d.action, d.count])).toEqual([
        [a.id, '👍', 'added', 1],
        [b.id, '👍', 'added', 2],
        [b.id, '🙏', 'added', 1],
        [a.id, '👍', 'removed', 1],
      ]);
    });

    it('shows a reaction on the chat list’s last message on the very next read', async () => {
      const { a, b, id } = await pair();
      const message = await send(s, a, id);
      expect((await s.api('GET', '/api/v1/conversations', { token: b.token })).body.items[0].lastMessage.reactions).toEqual([]);
      await react(a, message.id, '😮');
      expect((await s.api('GET', '/api/v1/conversations', { token: b.token })).body.items[0].lastMessage.reactions).toEqual([{ emoji: '😮', count: 1, me: false }]);
    });

    it('decodes the emoji from the URL (a multi-code-point emoji stays one)', async () => {
      const { a, id } = await pair();
      const message = await send(s, a, id);
      const family = '👨‍👩‍👧';
      expect((await react(a, message.id, enc(family))).status).toBe(204);
      expect(await reactionsAs(a, id, message.id)).toEqual([{ emoji: family, count: 1, me: true }]);
    });

    it.each([
      ['that is a word', 'ok'],
      ['that is a number', '-1'],
      ['that is markup', enc('<script>')],
      ['of two emoji', enc('👍👍')],
      ['longer than 64 characters', enc('👍'.repeat(40))],
      ['with a space', enc('👍 ')],
      ['with a tab', enc('a\tb')],
      ['with a control character', enc('a\u0001')],
    ])('with a reaction %s, answers 400 naming emoji', async (_what, emoji) => {
      const { a, id } = await pair();
      const message = await send(s, a, id);
      expectFieldErrors(await react(a, message.id, emoji), ['params.emoji']);
      expectFieldErrors(await react(a, message.id, emoji, 'DELETE'), ['params.emoji']);
    });

    it(`caps a message at ${MAX_REACTIONS} distinct emoji (409 for one more); existing ones can still be added to`, async () => {
      const { a, b, id } = await pair();
      const message = await send(s, a, id);
      for (const emoji of [enc('🍎'), enc('🍐'), enc('🍊')]) expect((await react(a, message.id, emoji)).status).toBe(204);
      expectProblem(await react(a, message.id, enc('🍋')), 409);
      expectProblem(await react(b, message.id, enc('🍋')), 409);
      expect((await react(b, message.id, enc('🍐'))).status).toBe(204);
      expect((await react(a, message.id, enc('🍎'), 'DELETE')).status).toBe(204);
      expect((await react(b, message.id, enc('🍋'))).status).toBe(204);
      expect((await reactionsAs(a, id, message.id)).map((r: any) => r.emoji).sort()).toEqual(['🍐', '🍊', '🍋'].sort());
    });

    it('on a deleted message, adding answers 409', async () => {
      const { a, id } = await pair();
      const message = await send(s, a, id);
      await s.api('DELETE', `/api/v1/messages/${message.id}`, { token: a.token });
      expectProblem(await react(a, message.id, enc('❌')), 409);
    });

    it('for a stranger, an unknown or a malformed message id, answers 404', async () => {
      const { a, id } = await pair();
      const message = await send(s, a, id);
      const stranger = await s.register();
      expectProblem(await react(stranger, message.id, enc('❌')), 404);
      expectProblem(await react(stranger, message.id, enc('❌'), 'DELETE'), 404);
      expectProblem(await react(a, UNKNOWN, enc('❌')), 404);
      expectProblem(await react(a, 'nope', enc('❌')), 404);
    });

    it('without a token, answers 401', async () => {
      expectProblem(await s.api('PUT', `/api/v1/messages/${UNKNOWN}/reactions/x`), 401);
    });
  });

  describe('POST /api/v1/conversations/:id/read', () => {
    it('moves the read mark forward, never back, clamped to the last seq; unread counts follow', async () => {
      const { a, b, id } = await pair();
      for (let i = 0; i < 4; i++) await send(s, b, id);
      expect(await conversationAs(a, id)).toMatchObject({ lastSeq: 4, lastReadSeq: 0, unreadCount: 4 });

      expect((await s.api('POST', `/api/v1/conversations/${id}/read`, { token: a.token, body: { seq: 3 } })).status).toBe(204);
      expect(await conversationAs(a, id)).toMatchObject({ lastReadSeq: 3, unreadCount: 1 });

      expect((await s.api('POST', `/api/v1/conversations/${id}/read`, { token: a.token, body: { seq: 1 } })).status).toBe(204);
      expect(await conversationAs(a, id)).toMatchObject({ lastReadSeq: 3, unreadCount: 1 });

      expect((await s.api('POST', `/api/v1/conversations/${id}/read`, { token: a.token, body: { seq: 999 } })).status).toBe(204);
      expect(await conversationAs(a, id)).toMatchObject({ lastReadSeq: 4, unreadCount: 0 });

      // b's own read state is untouched, and b's own messages never count as unread for b.
      expect(await conversationAs(b, id)).toMatchObject({ lastReadSeq: 0, unreadCount: 0 });

      await vi.waitFor(() => expect(s.recorder.of('read.updated', (d) => d.conversationId === id)).toHaveLength(2), WAIT);
      expect(s.recorder.of('read.updated', (d) => d.conversationId === id).map((e) => [e.data.userId, e.data.seq])).toEqual([
        [a.id, 3],
        [a.id, 4],
      ]);
    });

    it('lists every member\'s read position over REST, so a reloaded client can show "seen by"; strangers get 404', async () => {
      const { a, b, id } = await pair();
      for (let i = 0; i < 3; i++) await send(s, b, id);
      expect((await s.api('POST', `/api/v1/conversations/${id}/read`, { token: a.token, body: { seq: 2 } })).status).toBe(204);
      const reads = await s.api('GET', `/api/v1/conversations/${id}/reads`, { token: b.token });
      expect(reads.status).toBe(200);
      const byUser = Object.fromEntries(reads.body.items.map((r: any) => [r.userId, r]));
      expect(byUser[a.id]).toEqual({ userId: a.id, lastReadSeq: 2, readAt: expect.any(String) });
      expect(byUser[b.id]).toEqual({ userId: b.id, lastReadSeq: 0, readAt: null });
      expect(reads.body.items).toHaveLength(2);

      const stranger = await s.register();
      expectProblem(await s.api('GET', `/api/v1/conversations/${id}/reads`, { token: stranger.token }), 404);
      expectProblem(await s.api('GET', `/api/v1/conversations/${UNKNOWN}/reads`, { token: a.token }), 404);
      expectProblem(await s.api('GET', `/api/v1/conversations/${id}/reads`), 401);
    });

    it('does not count deleted messages as unread', async () => {
      const { a, b, id } = await pair();
      const [m1] = [await send(s, b, id), await send(s, b, id)];
      await s.api('DELETE', `/api/v1/messages/${m1.id}`, { token: b.token });
      expect(await conversationAs(a, id)).toMatchObject({ lastSeq: 2, unreadCount: 1 });
    });

    it('in an empty conversation, seq 0 is accepted and changes nothing', async () => {
      const { a, id } = await pair();
      expect((await s.api('POST', `/api/v1/conversations/${id}/read`, { token: a.token, body: { seq: 5 } })).status).toBe(204);
      expect(await conversationAs(a, id)).toMatchObject({ lastSeq: 0, lastReadSeq: 0 });
    });

    it.each([
      ['missing', {}],
      ['negative', { seq: -1 }],
      ['a fraction', { seq: 1.5 }],
      ['a string', { seq: '3' }],
      ['null', { seq: null }],
    ])('with seq %s, answers 400 naming seq', async (_what, body) => {
      const { a, id } = await pair();
      expectFieldErrors(await s.api('POST', `/api/v1/conversations/${id}/read`, { token: a.token, body }), ['body.seq']);
    });

    it('for a stranger, an unknown or a malformed conversation, answers 404', async () => {
      const { id } = await pair();
      const stranger = await s.register();
      expectProblem(await s.api('POST', `/api/v1/conversations/${id}/read`, { token: stranger.token, body: { seq: 1 } }), 404);
      expectProblem(await s.api('POST', `/api/v1/conversations/${UNKNOWN}/read`, { token: stranger.token, body: { seq: 1 } }), 404);
      expectProblem(await s.api('POST', `/api/v1/conversations/nope/read`, { token: stranger.token, body: { seq: 1 } }), 404);
    });
  });
});
